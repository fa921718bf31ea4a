// Throughput of the DuckDB store alone: `npx tsx store/duckdb/bench-store.ts [points]`.
// 1. writes `points` (default 5M) for 100 sensors in 1000-point write() calls, 32 in flight
//    (like ingest acknowledging MQTT messages), while querying every 100 ms, and reports
//    points/s, main-thread event-loop delay and query latency under that load;
// 2. writes 30 days of one sensor at 1 Hz, rolls up, and times trend queries;
// 3. backfills a day after its minutes were rolled up, and times the recompute.
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

const t2 = performance.now()
const first = await store.maintain()
console.log(`maintain: rolled up ${first.rolledUpMinutes} series-minutes (${TOTAL} points, in order) in ${ms(t2)} ms`)

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
await time('buckets 1 h, 1 min step, one of 100 sensors (rollups + raw)', () =>
  ts.buckets({ line: 'tcm1', equipment: 'stand1', sensor: 'sensor0', from: start, to: start + 3_600_000, stepMs: 60_000 }))

// --- 2. a 30-day trend of one sensor at 1 Hz, in a fresh file rolled up as it would be ----
const end = Math.floor(Date.now() / 60_000) * 60_000
const from30 = end - 30 * DAY
const one = { line: 'tcm1', equipment: 'exit', sensor: 'thickness_um' }
const dayOf = (t0: number, t1: number, sensor: string): Point[][] => {
  const chunks: Point[][] = []
  for (let t = t0; t < t1; t += 10_000 * 1000) {
    const chunk: Point[] = []
    // Object literals, not `{ ...one, ts }`: V8 builds spread copies ~15× slower, and slower to read.
    for (let k = 0; k < 10_000 && t + k * 1000 < t1; k++) {
      chunk.push({ line: one.line, equipment: one.equipment, sensor, ts: t + k * 1000, value: 800 + Math.sin((t + k * 1000) / 6e5) * 5 })
    }
    chunks.push(chunk)
  }
  return chunks
}
const dir30 = await mkdtemp(join(tmpdir(), 'millwatch-bench-store-'))
const store30 = await openDuckDbStore({ dir: dir30, maintenanceIntervalMs: 0 })
let t1 = performance.now()
await Promise.all(dayOf(from30, end, one.sensor).map((c) => store30.timeseries.write(c)))
console.log(`30 days at 1 Hz: ${Math.round((end - from30) / 1000)} points written in ${ms(t1)} ms`)
t1 = performance.now()
const report = await store30.maintain()
console.log(`maintain: rolled up ${report.rolledUpMinutes} series-minutes in ${ms(t1)} ms`)
const ts30 = store30.timeseries
await time('buckets 30 d, 1 h step (rollups)', () => ts30.buckets({ ...one, from: from30, to: end, stepMs: 3_600_000 }))
await time('buckets 30 d, 1 min step (rollups)', () => ts30.buckets({ ...one, from: from30, to: end, stepMs: 60_000 }))
await time('buckets 1 d, 10 s step (raw)', () => ts30.buckets({ ...one, from: end - DAY, to: end, stepMs: 10_000 }))
await time('range 1 h raw', () => ts30.range({ ...one, from: end - 3_600_000, to: end }))
await time('latest tcm1', () => ts.latest({ line: 'tcm1' }))
await store30.close()

// --- 3. a late backfill: a day of a gateway's buffer, arriving after its minutes rolled up --
t1 = performance.now()
await Promise.all(dayOf(end - DAY, end - 3_600_000, 'backfilled').map((c) => ts.write(c)))
console.log(`backfill: ${Math.round((DAY - 3_600_000) / 1000)} late points written in ${ms(t1)} ms`)
t1 = performance.now()
const late = await store.maintain()
console.log(`maintain: ${late.dirtyMinutes} late series-minutes rolled up with duplicates collapsed in ${ms(t1)} ms`)

await store.close()
await rm(dir, { recursive: true, force: true })
await rm(dir30, { recursive: true, force: true })
