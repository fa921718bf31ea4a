// Prometheus metrics: one registry per process (not prom-client's global one, so tests can
// start several millwatch parts side by side).
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { getHeapStatistics } from 'node:v8'
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import { HEAP, threadHeaps } from './threads.ts'

export { Registry }

export function createRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry()
  if (opts.defaultMetrics) {
    collectDefaultMetrics({ register: registry, prefix: 'mw_' })
    liveHeapGauge(registry)
    threadHeapGauges(registry)
  }
  return registry
}

/**
 * The V8 heap in use right after the last full (mark-compact) GC: what the JavaScript side
 * actually keeps. mw_nodejs_heap_size_used_bytes and _total_bytes also count the garbage made
 * since that GC — under full ingest load they swing between ~60 and ~200 MB on a ~55 MB live
 * set — so a sample of them says nothing about growth; a rising floor here does.
 */
function liveHeapGauge(registry: Registry): void {
  let live = 0
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) live = getHeapStatistics().used_heap_size
  }).observe({ entryTypes: ['gc'] })
  new Gauge({
    name: 'mw_nodejs_heap_live_bytes',
    help: 'V8 heap used right after the last full GC (the live set; 0 until the first full GC)',
    registers: [registry],
    collect() {
      this.set(live)
    },
  })
}

/**
 * The worker threads' V8 heaps (the DuckDB store's, the rules'), each as the thread itself
 * last reported it (core/threads.ts): RSS holds them beside the main thread's heap.
 */
function threadHeapGauges(registry: Registry): void {
  const gauges: Array<[string, string, number]> = [
    ['mw_nodejs_thread_heap_live_bytes', "a worker thread's V8 heap used right after its last full GC (0 until the first)", HEAP.live],
    ['mw_nodejs_thread_heap_total_bytes', "a worker thread's V8 heap size, garbage included", HEAP.total],
    ['mw_nodejs_thread_external_bytes', "memory outside a worker thread's V8 heap held by its objects (buffers)", HEAP.external],
  ]
  for (const [name, help, slot] of gauges)
    new Gauge({
      name,
      help,
      labelNames: ['thread'],
      registers: [registry],
      collect() {
        this.reset() // a thread that exited drops out
        for (const t of threadHeaps()) this.set({ thread: t.thread }, t.figures[slot])
      },
    })
}
