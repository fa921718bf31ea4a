// Days of the default plant's history in a millwatch data folder, generated far faster than
// real time: telemetry of every series of tcm1 at 1 Hz (30 days ≈ 160M points) with its
// 1-minute rollups, then the alarms and the coil records with process summaries. The folder
// is kept (history.json marks it complete) and reused until asked to regenerate; when only
// the telemetry is complete (telemetry.json: the slow part, minutes), an interrupted run
// writes the records again on it instead of starting over.
//   npx tsx bench/history/generate.ts [--data <folder>] [--days 30] [--regenerate]
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { loadConfig, type Config } from '../../core/config.ts'
import { MINUTE } from '../../store/duckdb/schema.ts'
import { openDuckDbStore } from '../../store/duckdb/index.ts'
import { progress } from '../lib/progress.ts'
import { fmt } from '../lib/stats.ts'
import { generateAlarms } from './alarms.ts'
import { writeAlarms, writeCoils } from './records.ts'
import { readSlots, writeTelemetry } from './telemetry.ts'

export const DEFAULT_DATA = join(tmpdir(), 'millwatch-bench-history')
const MARKER = 'history.json'
const VERSION = 1

export interface History {
  version: number
  line: string
  days: number
  /** epoch ms: [startMs, endMs) holds the telemetry */
  startMs: number
  endMs: number
  series: number
  points: number
  rollups: number
  coils: number
  alarmTransitions: number
  bytes: number
  generatedInS: number
}

/** The history in `dir`, generated first when missing, of another length, or when asked. */
export async function ensureHistory(o: { dir: string; days: number; regenerate?: boolean; config?: Config }): Promise<History> {
  const marker = join(o.dir, MARKER)
  if (!o.regenerate && existsSync(marker)) {
    const h = JSON.parse(readFileSync(marker, 'utf8')) as History
    if (h.version === VERSION && h.days === o.days) return (await settle(o.dir, h.days), h)
  }
  if (o.regenerate) rmSync(o.dir, { recursive: true, force: true })
  rmSync(marker, { force: true })
  return generate(o.dir, o.days, o.config ?? loadConfig({ DATA_DIR: o.dir }))
}

/** What writeTelemetry finished: the records can be (re)written on it without redoing it. */
interface TelemetryDone { version: number; days: number; line: string; startMs: number; endMs: number; series: number; points: number; rollups: number }
const TELEMETRY_MARKER = 'telemetry.json'
// Tables of the record modules: dropped (and recreated by them) when the records are rewritten.
const RECORD_TABLES = ['alarm_points', 'alarm_transitions', 'alarm_deliveries', 'coils', 'coil_inspections', 'coil_status_history']

async function generate(dir: string, days: number, config: Config): Promise<History> {
  const t0 = performance.now()
  const line = 'tcm1'
  const file = join(dir, 'millwatch.duckdb')
  const telemetryMarker = join(dir, TELEMETRY_MARKER)
  let tel = existsSync(telemetryMarker) ? (JSON.parse(readFileSync(telemetryMarker, 'utf8')) as TelemetryDone) : undefined
  if (tel?.version !== VERSION || tel.days !== days || tel.line !== line) {
    rmSync(dir, { recursive: true, force: true })
    tel = await generateTelemetry(dir, file, line, days, config)
    writeFileSync(telemetryMarker, `${JSON.stringify(tel)}\n`)
  } else console.log(`telemetry of ${days} days already generated in ${dir}: writing the records again`)
  const { startMs, endMs } = tel
  const slots = await readSlots(file, (endMs - startMs) / 1000)

  const store = await openDuckDbStore({ dir, log: pino({ level: 'warn' }), maintenanceIntervalMs: 0, memoryLimit: config.store.memoryLimit })
  try {
    for (const t of RECORD_TABLES) await store.sql.run(`DROP TABLE IF EXISTS ${t}`)
    await store.sql.run('DELETE FROM coil_events')
    const alarms = generateAlarms({ line, startMs, days, people: config.people, timezone: config.plant.timezone })
    const ab = progress('alarms   ', alarms.transitions.length, 'transitions')
    await writeAlarms(store, alarms, (n) => ab.update(n))
    const transitions = alarms.transitions.length
    ab.finish(`${fmt(transitions)} transitions of ${fmt(alarms.transitions.filter((t) => t.action === 'activate').length)} alarms`)
    let cb: ReturnType<typeof progress> | undefined
    const coils = await writeCoils(store, { config, line, startMs, endMs, slots }, (n, total) => (cb ??= progress('coils    ', total, 'coils')).update(n))
    cb?.finish(`${fmt(coils)} coils with process summaries`)
    await verify(store, line, startMs, endMs)
    await store.close()
    await settle(dir, days)
    const h: History = { ...tel, coils, alarmTransitions: transitions, bytes: folderBytes(dir), generatedInS: Math.round((performance.now() - t0) / 100) / 10 }
    writeFileSync(join(dir, MARKER), `${JSON.stringify(h, null, 2)}\n`)
    console.log(`history ready: ${fmt(h.bytes / 2 ** 20)} MB on disk, generated in ${h.generatedInS} s`)
    return h
  } finally {
    await store.close()
  }
}

async function generateTelemetry(dir: string, file: string, line: string, days: number, config: Config): Promise<TelemetryDone> {
  const model = config.plant.lines.get(line)
  if (!model) throw new Error(`the plant model has no line ${line}`)
  const series = [...model.equipment.values()].flatMap((e) => [...e.sensors.keys()].map((sensor) => ({ equipment: e.id, sensor })))
    .map((s, i) => ({ id: i + 1, ...s }))
  const endMs = Date.now() - (Date.now() % MINUTE)
  const seconds = Math.round(days * 86_400)
  const startMs = endMs - seconds * 1000
  console.log(`generating ${days} days of ${line} (${series.length} series at 1 Hz, ${fmt(seconds * series.length)} points) into ${dir}`)
  mkdirSync(dir, { recursive: true })
  const bar = progress('telemetry', seconds * series.length, 'points')
  const tel = await writeTelemetry({ file, line, series, startMs, seconds, onProgress: (s) => bar.update(s * series.length) })
  bar.finish(`${fmt(tel.points)} points, ${fmt(tel.rollups)} one-minute rollups`)
  return { version: VERSION, days, line, startMs, endMs, series: series.length, points: tel.points, rollups: tel.rollups }
}

/**
 * Runs the store's maintenance until it has nothing left to do, as a service running all along
 * would have: rollups of anything a previous benchmark's simulator added, and the completed
 * days of rollups sorted by series (store/duckdb/rollup-order.ts; a few days per pass).
 */
async function settle(dir: string, days: number): Promise<void> {
  const store = await openDuckDbStore({ dir, log: pino({ level: 'warn' }), maintenanceIntervalMs: 0 })
  try {
    let bar: ReturnType<typeof progress> | undefined
    let sorted = 0
    for (let r = await store.maintain(); r.sortedDays > 0 || r.dirtyMinutes > 0; r = await store.maintain())
      (bar ??= progress('store maintenance (rollups sorted by series)', days, 'days')).update((sorted += r.sortedDays))
    bar?.finish(`${sorted} days`)
  } finally {
    await store.close()
  }
}

/** Reads the history back through the store, as the dashboard will: fails loudly if it is not whole. */
async function verify(store: Awaited<ReturnType<typeof openDuckDbStore>>, line: string, from: number, to: number): Promise<void> {
  const q = { line, equipment: 'exit', sensor: 'strip_speed_mps', from, to }
  const buckets = await store.timeseries.buckets({ ...q, stepMs: 3_600_000, limit: 100_000 })
  const counted = buckets.reduce((n, b) => n + b.count, 0)
  const hour = await store.timeseries.range({ ...q, from: to - 3_600_000 })
  const latest = await store.timeseries.latest({ line })
  const expected = (to - from) / 1000
  if (counted !== expected || hour.length !== 3600 || latest.length === 0)
    throw new Error(`history does not read back: ${counted} of ${expected} points in hourly buckets, ${hour.length} of 3600 in the last hour, ${latest.length} latest values`)
  const running = buckets.filter((b) => b.max > 0).length
  console.log(`verified through the store: ${fmt(counted)} points of exit/strip_speed_mps in ${buckets.length} hourly buckets (${running} with the line running), ${latest.length} latest values`)
}

function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { data: { type: 'string', default: DEFAULT_DATA }, days: { type: 'string', default: '30' }, regenerate: { type: 'boolean', default: false } } })
  const h = await ensureHistory({ dir: values.data, days: Number(values.days), regenerate: values.regenerate })
  console.log(JSON.stringify(h))
}
