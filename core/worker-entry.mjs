// Bootstrap of a worker thread (the DuckDB store, the rules; started by threads.ts), in plain
// JavaScript because vitest does not transform modules loaded inside worker threads and plain
// `node` cannot load TypeScript. When the target module is TypeScript (development, tests,
// `npm start` under tsx), tsx's ESM loader is registered for this thread first.
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { getHeapStatistics } from 'node:v8'
import { workerData } from 'node:worker_threads'

// This thread's heap, written where the main thread reads it for /metrics (slots: threads.ts
// HEAP): the live set after each full GC, and used / total / external every few seconds.
if (workerData.heapReport) {
  const figures = new Float64Array(workerData.heapReport.buffer)
  const report = () => {
    const h = getHeapStatistics()
    figures[1] = h.used_heap_size
    figures[2] = h.total_heap_size
    figures[3] = h.external_memory
  }
  new PerformanceObserver((list) => {
    if (!list.getEntries().some((e) => e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) return
    report()
    figures[0] = figures[1]
  }).observe({ entryTypes: ['gc'] })
  report()
  setInterval(report, workerData.heapReport.everyMs).unref()
}

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api')
  register()
}
await import(workerData.entry)
