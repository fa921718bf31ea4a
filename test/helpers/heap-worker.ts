// A worker thread for core/threads.test.ts: keeps `workerData.megabytes` MB of objects alive,
// runs a full GC, says so, and waits to be terminated.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { parentPort, workerData } from 'node:worker_threads'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const kept = Array.from({ length: (workerData.megabytes as number) * 1024 }, (_, i) => ({ i, pad: new Array(100).fill(i) }))
gc()
// The GC entry reaches the observer in worker-entry.mjs on a later turn.
setTimeout(() => parentPort!.postMessage({ kept: kept.length }), 50)
setInterval(() => kept.length, 60_000)
