// Throughput of the DuckDB store alone: `npx tsx store/duckdb/bench-store.ts [points]`.
// 1. writes `points` (default 5M) for 100 sensors in 1000-point write() calls, 32 in flight
//    (like ingest acknowledging MQTT messages), while querying every 100 ms, and reports
//    points/s, main-thread event-loop delay and query latency under that load;
// 2. writes 30 days of one sensor at 1 Hz, rolls up, and times trend queries.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Point } from '../../core/payloads.ts'
import { openDuckDbStore } from './index.ts'

const TOTAL = Number(process.argv[2] ?? 5_000_000)
const PER_WRITE = 1000
const IN_FLIGHT = 32
const SENSORS = 100
const DAY = 86_400_000

const dir = await mkdtemp(join(tmpdir(), 'millwatch-bench-store-'))
const store = await openDuckDbStore({ dir, maintenanceIntervalMs: 0 })
const ts = store.timeseries
const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]

// --- 1. write throughput under query load --------------------------------------------
const start = Date.now() - 2 * 3_600_000
const batchAt = (k: number): Point[] =>
  Array.from({ length: PER_WRITE }, (_, i) => {
    const n = k * PER_WRITE + i
    const s = n % SENSORS
    return { line: 'tcm1', equipment: `stand${s % 5 + 1}`, sensor: `sensor${s}`, ts: start + Math.floor(n / SENSORS) * 100, value: Math.sin(n / 1000) }
  })
const batches = Math.ceil(TOTAL / PER_WRITE)
const loop = monitorEventLoopDelay({ resolution: 10 })
const queryTimes: number[] = []
let writing = true
const querying = (async () => {
  while (writing) {
    const t0 = performance.now()
    await ts.latest({ line: 'tcm1' })
    await ts.range({ line: 'tcm1', equipment: 'stand1', sensor: 'sensor0', from: start, to: start + 10_000 })
    queryTimes.push(ms(t0))
    await new Promise((r) => setTimeout(r, 100))
  }
})()
loop.enable()
const t0 = performance.now()
let next = 0
let inWrite = 0 // main-thread time spent inside write(): validation, series ids, encoding
await Promise.all(
  Array.from({ length: IN_FLIGHT }, async () => {
    while (next < batches) {
      const points = batchAt(next++)
      const t = performance.now()
      const done = ts.write(points)
      inWrite += performance.now() - t
      await done
    }
  }),
)
const writeMs = performance.now() - t0
writing = false
loop.disable()
await querying
console.log(`write: ${batches * PER_WRITE} points in ${Math.round(writeMs)} ms = ${Math.round((batches * PER_WRITE) / (writeMs / 1000))} points/s (last commit ${ts.stats().lastBatchMs.toFixed(1)} ms)`)
console.log(`main thread inside write(): ${Math.round(inWrite)} ms in total (${((inWrite * 1e6) / (batches * PER_WRITE)).toFixed(0)} ns per point)`)
console.log(`main event loop delay during writes (includes this script's point generation): p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`)
console.log(`latest+range(10 s) while writing: p50 ${pct(queryTimes, 50)} ms, p99 ${pct(queryTimes, 99)} ms (${queryTimes.length} queries)`)

// --- 2. a 30-day trend of one sensor at 1 Hz -------------------------------------------
const end = Math.floor(Date.now() / 60_000) * 60_000
const from30 = end - 30 * DAY
const one = { line: 'tcm1', equipment: 'exit', sensor: 'thickness_um' }
let t1 = performance.now()
const writes: Promise<void>[] = []
for (let t = from30; t < end; t += 10_000 * 1000) {
  const chunk: Point[] = []
  // Object literals, not `{ ...one, ts }`: V8 builds spread copies ~15× slower, and slower to read.
  for (let k = 0; k < 10_000 && t + k * 1000 < end; k++) {
    chunk.push({ line: one.line, equipment: one.equipment, sensor: one.sensor, ts: t + k * 1000, value: 800 + Math.sin((t + k * 1000) / 6e5) * 5 })
  }
  writes.push(ts.write(chunk))
}
await Promise.all(writes)
console.log(`30 days at 1 Hz: ${Math.round((end - from30) / 1000)} points written in ${ms(t1)} ms`)
t1 = performance.now()
const report = await store.maintain()
console.log(`maintain (rollup of everything so far): ${ms(t1)} ms, ${report.rolledUpMinutes} minutes`)

const time = async (label: string, f: () => Promise<unknown[]>) => {
  await f() // warm up
  const runs: number[] = []
  let n = 0
  for (let i = 0; i < 5; i++) {
    const t = performance.now()
    n = (await f()).length
    runs.push(ms(t))
  }
  console.log(`${label}: median ${pct(runs, 50)} ms (${n} rows)`)
}
await time('buckets 30 d, 1 h step (rollups)', () => ts.buckets({ ...one, from: from30, to: end, stepMs: 3_600_000 }))
await time('buckets 30 d, 1 min step (rollups)', () => ts.buckets({ ...one, from: from30, to: end, stepMs: 60_000 }))
await time('buckets 1 d, 10 s step (raw)', () => ts.buckets({ ...one, from: end - DAY, to: end, stepMs: 10_000 }))
await time('buckets 1 d, 1 min step, 100 sensors table (rollups)', () => ts.buckets({ line: 'tcm1', equipment: 'stand1', sensor: 'sensor0', from: start - DAY, to: end, stepMs: 60_000 }))
await time('range 1 h raw', () => ts.range({ ...one, from: end - 3_600_000, to: end }))
await time('latest tcm1', () => ts.latest({ line: 'tcm1' }))

await store.close()
await rm(dir, { recursive: true, force: true })
