// Each worker thread reports its own V8 heap (Node 20 cannot be asked from outside), and
// /metrics shows it per thread while the thread runs.
import { once } from 'node:events'
import { expect, test } from 'vitest'
import { createRegistry } from './metrics.ts'
import { startWorker } from './threads.ts'

test("a worker thread's heap is in /metrics under its name while it runs, and gone after it exits", async () => {
  const registry = createRegistry({ defaultMetrics: true })
  const read = async (name: string) =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) => v.labels.thread === 'heap-test')?.value
  const worker = startWorker('heap-test', new URL('../test/helpers/heap-worker.ts', import.meta.url), { megabytes: 40 })
  await once(worker, 'message')
  // ~40 MB of objects stay reachable in that thread: its live set after the full GC holds
  // them, the heap's total is at least that, and neither is the main thread's heap.
  expect(await read('mw_nodejs_thread_heap_live_bytes')).toBeGreaterThan(40 * 2 ** 20)
  expect(await read('mw_nodejs_thread_heap_total_bytes')).toBeGreaterThanOrEqual((await read('mw_nodejs_thread_heap_live_bytes'))!)
  expect(await registry.metrics()).toMatch(/^mw_nodejs_thread_external_bytes\{thread="heap-test"\} \d+/m)
  await worker.terminate()
  expect(await read('mw_nodejs_thread_heap_live_bytes')).toBeUndefined()
})
