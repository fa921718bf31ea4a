// Bootstrap of a worker thread (the DuckDB store, the rules), in plain JavaScript because vitest does not
// transform modules loaded inside worker threads and plain `node` cannot load TypeScript.
// When the target module is TypeScript (development, tests, `npm start` under tsx), tsx's
// ESM loader is registered for this thread first.
import { workerData } from 'node:worker_threads'

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api')
  register()
}
await import(workerData.entry)
