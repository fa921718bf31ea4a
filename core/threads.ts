// Starting millwatch's worker threads (the DuckDB store, the rules) and reading their memory.
//
// Every worker runs core/worker-entry.mjs, which loads the worker's module and, every
// HEAP_REPORT_MS and after each of its full GCs, writes its own V8 heap figures into a
// SharedArrayBuffer handed over here. Node 20 cannot ask a worker for its heap from outside
// (worker.getHeapStatistics() came in Node 22), and a report in shared memory needs no
// message in either thread's protocol. The figures are what /metrics reports per thread, so a
// soak can tell which thread's heap grows when the process's RSS does.
import { readdirSync, readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { Worker } from 'node:worker_threads'

/** Slots of a thread's heap report (Float64Array over the shared buffer). */
export const HEAP = { live: 0, used: 1, total: 2, external: 3 } as const
export const HEAP_REPORT_MS = 5000

export interface ThreadHeap {
  readonly thread: string
  /** live (after the last full GC, 0 before it), used, total and external bytes */
  readonly figures: Float64Array
}

const running = new Set<ThreadHeap>()

/** The heap reports of the worker threads running in this process now. */
export function threadHeaps(): readonly ThreadHeap[] {
  return [...running]
}

/** Starts `entry` (a module URL, TypeScript or JavaScript) as the worker thread `name`. */
export function startWorker(name: string, entry: URL, data: Record<string, unknown> = {}): Worker {
  const figures = new Float64Array(new SharedArrayBuffer(4 * Float64Array.BYTES_PER_ELEMENT))
  const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
    name,
    workerData: { ...data, entry: entry.href, heapReport: { buffer: figures.buffer, everyMs: HEAP_REPORT_MS } },
  })
  const heap = { thread: name, figures }
  running.add(heap)
  worker.once('exit', () => running.delete(heap))
  return worker
}

/**
 * CPU priority for work that can wait (the store's commits and checkpoints): when the cores
 * are all busy, Linux's scheduler serves threads of a higher nice value (0–19) last. Linux
 * sets nice per thread and a new thread takes its creator's; elsewhere these are no-ops.
 */
export function niceThisThread(nice: number): boolean {
  const tid = Number(/\/task\/(\d+)$/.exec(safe(() => readlinkSync('/proc/thread-self')) ?? '')?.[1])
  return tid > 0 && niceThreads([tid], nice) === 1
}

/** The ids of this process's threads now (empty where /proc is not there). */
export function threadIds(): Set<number> {
  return new Set((safe(() => readdirSync('/proc/self/task')) ?? []).map(Number))
}

/** Sets the nice value of these threads; returns how many took it. */
export function niceThreads(ids: Iterable<number>, nice: number): number {
  if (!(nice > 0)) return 0
  let n = 0
  for (const id of ids) if (safe(() => (setPriority(id, Math.min(19, nice)), true))) n++
  return n
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f()
  } catch {
    return undefined
  }
}
