import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { expect, test } from 'vitest'
import { createRegistry } from './metrics.ts'

test('mw_nodejs_heap_live_bytes is the heap used after a full GC', async () => {
  const registry = createRegistry({ defaultMetrics: true })
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const value = async () => (await registry.getSingleMetric('mw_nodejs_heap_live_bytes')!.get()).values[0]?.value ?? 0
  let live = 0
  // The GC is reported to observers asynchronously.
  for (let i = 0; i < 50 && live === 0; i++) {
    gc()
    await new Promise((r) => setTimeout(r, 20))
    live = await value()
  }
  expect(live).toBeGreaterThan(1_000_000)
  expect(live).toBeLessThanOrEqual(getHeapStatistics().total_heap_size)
  expect(await registry.metrics()).toMatch(/^mw_nodejs_heap_live_bytes \d+/m)
})
