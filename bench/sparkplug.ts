// npm run bench:sparkplug — what Sparkplug B decoding costs ingest, beside JSON: the same
// 10-value stand readings as JSON telemetry and as Sparkplug DDATA by alias (after a DBIRTH),
// through ingest.accept with its validation, dead-letter checks and readings listener. The
// store is left out on purpose (a write that resolves at once): bench:ingest measures the
// whole path with the broker and DuckDB; this isolates the decoding, on one core.
// Options: --messages 200000 (per round)  --rounds 5
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { loadConfig } from '../core/config.ts'
import { createRegistry } from '../core/metrics.ts'
import { DataType, encodePayload, sparkplugTopic } from '../core/sparkplug-b.ts'
import { startIngest } from '../ingest/index.ts'
import type { TimeSeriesStore, RecordsStore } from '../store/types.ts'

const { values: args } = parseArgs({ options: { messages: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' } } })
const N = Number(args.messages)
const rounds = Number(args.rounds)
const config = loadConfig({})
const sensors = ['roll_force_kN', 'tension_kN', 'speed_mps', 'motor_current_A', 'motor_power_kW', 'roll_gap_mm', 'hydraulic_pressure_bar', 'vibration_mm_s', 'bearing_temp_C', 'work_roll_temp_C']
const base = [15000, 300, 12, 5000, 3000, 1.2, 200, 2.1, 60, 80]

const done = Promise.resolve()
const timeseries = { write: () => done, stats: () => ({ pending: 0, lastBatchMs: 0 }) } as unknown as TimeSeriesStore
let listened = 0
const ingest = startIngest({
  plant: config.plant,
  settings: config.ingest,
  log: pino({ level: 'silent' }),
  timeseries,
  records: {} as RecordsStore,
  metrics: createRegistry(),
  sparkplug: config.sparkplug,
  onReadings: () => void listened++,
})

// The messages, built before timing: 1000 distinct ones reused in turn.
const t0 = Date.now() - 60_000
const json = Array.from({ length: 1000 }, (_, i) =>
  Buffer.from(JSON.stringify({ ts: t0 + i * 10, values: Object.fromEntries(sensors.map((s, k) => [s, Math.round((base[k] + (i % 100) / 100) * 100) / 100])) })),
)
const spTopic = sparkplugTopic('tcm1', 'DDATA', 'tcm1-gw', 'stand3')
ingest.accept(sparkplugTopic('tcm1', 'NBIRTH', 'tcm1-gw'), encodePayload({ timestamp: t0, seq: 0, metrics: [] }))
ingest.accept(
  sparkplugTopic('tcm1', 'DBIRTH', 'tcm1-gw', 'stand3'),
  encodePayload({ timestamp: t0, seq: 1, metrics: sensors.map((name, k) => ({ name, alias: k + 1, datatype: DataType.Double, double_value: base[k] })) }),
)
const sp = Array.from({ length: 1000 }, (_, i) =>
  encodePayload({ timestamp: t0 + i * 10, seq: (i + 2) % 256, metrics: sensors.map((_, k) => ({ alias: k + 1, double_value: Math.round((base[k] + (i % 100) / 100) * 100) / 100 })) }),
)

function run(topic: string, payloads: Uint8Array[]): number {
  const before = ingest.stats().points
  const start = performance.now()
  for (let i = 0; i < N; i++) ingest.accept(topic, payloads[i % payloads.length])
  const s = (performance.now() - start) / 1000
  return (ingest.stats().points - before) / s
}

const fmtK = (x: number) => `${(x / 1000).toFixed(0)}k`
const results: Record<string, number[]> = { json: [], sparkplug: [] }
for (let r = 0; r < rounds; r++) {
  results.json.push(run('plant/tcm1/stand3/telemetry', json))
  results.sparkplug.push(run(spTopic, sp))
  process.stderr.write(`round ${r + 1}/${rounds}: JSON ${fmtK(results.json.at(-1)!)} points/s, Sparkplug ${fmtK(results.sparkplug.at(-1)!)} points/s\n`)
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const dead = ingest.stats().deadLetters
console.log(`payload bytes (10 values): JSON ${json[0].length}, Sparkplug DDATA ${sp[0].length}`)
console.log(`points/s through ingest.accept (median of ${rounds} rounds of ${N} messages): JSON ${fmtK(median(results.json))}, Sparkplug B ${fmtK(median(results.sparkplug))} (${(median(results.sparkplug) / median(results.json)).toFixed(2)}× JSON)`)
console.log(`dead letters: ${dead} (must be 0); readings listener calls: ${listened}`)
