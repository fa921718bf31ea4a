// Prometheus metrics: one registry per process (not prom-client's global one, so tests can
// start several millwatch parts side by side).
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { getHeapStatistics } from 'node:v8'
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client'

export { Registry }

export function createRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry()
  if (opts.defaultMetrics) {
    collectDefaultMetrics({ register: registry, prefix: 'mw_' })
    liveHeapGauge(registry)
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
