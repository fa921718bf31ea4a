// Parity: the same simulated mill data (25 minutes of tcm1 with a bearing wearing on stand3)
// written to DuckDB and to InfluxDB gives the same /api/series answers (raw and buckets),
// /api/latest, the same coil process summary and the same alarm "what if" replay — the
// last two built from the TimeSeriesStore interface, as coils/service.ts and the what-if
// endpoint build them.
import type { FastifyInstance } from 'fastify'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadRuleDefinition } from '../../alerts/rules/load.ts'
import { conditionSensors } from '../../alerts/rules/types.ts'
import { mergeSeries, whatIf } from '../../alerts/what-if.ts'
import { SENSORS, standsOf, summarizeCoil } from '../../coils/summary.ts'
import { loadConfig } from '../../core/config.ts'
import { Credentials } from '../../core/credentials.ts'
import { createRegistry } from '../../core/metrics.ts'
import type { Point } from '../../core/payloads.ts'
import { Sessions } from '../../dashboard/auth/sessions.ts'
import { buildApp } from '../../dashboard/app.ts'
import { createMill } from '../../simulators/mill.ts'
import { influxdMissing, startInflux, type InfluxServer } from '../../test/helpers/influx.ts'
import { openDuckDbStore, type DuckDbStore } from '../duckdb/index.ts'
import type { TimeSeriesStore } from '../types.ts'
import { openInfluxStore, type InfluxStore } from './index.ts'

const missing = influxdMissing()
const config = loadConfig({})
const log = pino({ level: 'silent' })
const T0 = Date.parse('2025-11-24T10:00:00Z')
const END = T0 + 25 * 60_000
const line = config.plant.lines.get('tcm1')!

let server: InfluxServer, duck: DuckDbStore, influx: InfluxStore, dir: string
const apps: Record<'duckdb' | 'influx', FastifyInstance> = {} as never
let coil: { from: number; to: number } | undefined

beforeAll(async () => {
  if (missing) return
  dir = await mkdtemp(join(tmpdir(), 'mw-parity-'))
  server = await startInflux()
  duck = await openDuckDbStore({ dir, log, maintenanceIntervalMs: 0 })
  influx = await openInfluxStore({ url: server.url, bucket: server.database, spoolDir: join(dir, 'spool'), log })
  // The simulator's model without a broker: every telemetry message becomes points.
  const mill = createMill({ seed: 11, startMs: T0, rateHz: 2, faults: ['bearing-wear:stand3@2m+20m'] })
  const points: Point[] = []
  let start: number | undefined
  for (let t = T0; t < END; t += 500)
    for (const m of mill.step(t)) {
      const [, l, equipment, kind] = m.topic.split('/')
      const p = m.payload as { ts: number; values?: Record<string, number>; event?: string }
      if (kind === 'telemetry') for (const [sensor, value] of Object.entries(p.values!)) points.push({ line: l, equipment, sensor, ts: p.ts, value })
      else if (p.event === 'start') start = p.ts
      else if (p.event === 'finish' && start !== undefined) coil ??= { from: start, to: p.ts }
    }
  for (let i = 0; i < points.length; i += 5000) {
    const batch = points.slice(i, i + 5000)
    await Promise.all([duck.timeseries.write(batch), influx.timeseries.write(batch)])
  }
  await duck.maintain() // rollups: the DuckDB answer mixes rolled-up minutes and raw points
  // demo mode on loopback: anyone may read telemetry (what these requests do)
  const credentials = new Credentials(join(dir, 'credentials'))
  for (const [name, timeseries] of [['duckdb', duck.timeseries], ['influx', influx.timeseries]] as const)
    apps[name] = await buildApp({
      config, log, metrics: createRegistry(), timeseries, now: () => END,
      health: () => ({ ready: true, parts: { store: name } }),
      auth: { credentials, people: config.people, sessions: new Sessions(), records: duck.records, demo: true, secureCookies: false },
    })
})

afterAll(async () => {
  await Promise.all(Object.values(apps).map((a) => a.close()))
  await influx?.close()
  await duck?.close()
  await server?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function get(name: 'duckdb' | 'influx', url: string) {
  const r = await apps[name].inject({ method: 'GET', url })
  expect(r.statusCode, r.body).toBe(200)
  return r.json()
}

/** avg may differ in the last bits (summation order); everything else is equal. */
function expectSameBuckets(a: { points: Array<{ avg: number }> }, b: { points: Array<{ avg: number }> }) {
  const strip = (x: typeof a) => ({ ...x, points: x.points.map(({ avg, ...rest }) => rest) })
  expect(strip(b)).toEqual(strip(a))
  a.points.forEach((p, i) => expect(b.points[i].avg).toBeCloseTo(p.avg, 9))
}

describe.skipIf(missing)('DuckDB and InfluxDB parity', () => {
  const window = `from=${new Date(T0 + 30_500).toISOString()}&to=${new Date(END - 61_000).toISOString()}`

  it('answers /api/series alike for every sensor: raw points and 1-minute buckets', async () => {
    let compared = 0
    for (const eq of line.equipment.values())
      for (const sensor of eq.sensors.keys()) {
        const q = `/api/series?line=tcm1&equipment=${eq.id}&sensor=${sensor}&${window}`
        expectSameBuckets(await get('duckdb', `${q}&step=1m`), await get('influx', `${q}&step=1m`))
        const raw = await get('duckdb', `${q}&limit=100000`)
        expect(await get('influx', `${q}&limit=100000`)).toEqual(raw)
        compared += raw.points.length
      }
    expect(compared).toBeGreaterThan(50_000)
  })

  it('answers 10-second and 7-minute buckets and /api/latest alike', async () => {
    for (const equipment of ['stand3', 'exit'])
      for (const sensor of line.equipment.get(equipment)!.sensors.keys())
        for (const step of ['10s', '7m']) {
          const q = `/api/series?line=tcm1&equipment=${equipment}&sensor=${sensor}&${window}&step=${step}`
          expectSameBuckets(await get('duckdb', q), await get('influx', q))
        }
    const sort = (b: { values: Array<{ equipment: string; sensor: string }> }) => b.values.sort((x, y) => `${x.equipment}/${x.sensor}`.localeCompare(`${y.equipment}/${y.sensor}`))
    expect(sort(await get('influx', '/api/latest?line=tcm1'))).toEqual(sort(await get('duckdb', '/api/latest?line=tcm1')))
  })

  it('gives the same coil process summary', async () => {
    expect(coil).toBeDefined()
    const summary = async (ts: TimeSeriesStore) => {
      const telemetry: Record<string, Record<string, Awaited<ReturnType<TimeSeriesStore['range']>>>> = {}
      for (const eq of line.equipment.values()) {
        telemetry[eq.id] = {}
        for (const sensor of Object.values(SENSORS))
          if (eq.sensors.has(sensor)) telemetry[eq.id][sensor] = await ts.range({ line: 'tcm1', equipment: eq.id, sensor, from: coil!.from, to: coil!.to, limit: 2_000_000 })
      }
      return summarizeCoil({ from: coil!.from, to: coil!.to, telemetry, stands: standsOf(line), target_mm: 0.5, tolerance_um: 8 })
    }
    const fromDuck = await summary(duck.timeseries)
    expect(fromDuck.stands.length).toBe(5)
    expect(await summary(influx.timeseries)).toEqual(fromDuck)
  })

  it('replays an alarm rule ("what if") to the same alarms', async () => {
    const def = { id: 'trial', sensor: 'vibration_mm_s', priority: 'low', when: { above: 3.2 }, deadband: 0.1, onDelay: '2s', description: 'trial' }
    const rule = loadRuleDefinition(def, config.plant, 'tcm1', 'stand3').rules![0]
    const replay = async (ts: TimeSeriesStore) => {
      const series: Record<string, { ts: number; value: number }[]> = {}
      for (const sensor of conditionSensors(rule.condition)) series[sensor] = await ts.range({ line: 'tcm1', equipment: 'stand3', sensor, from: T0, to: END, limit: 5_000_000 })
      return whatIf(rule, mergeSeries(series), { until: END })
    }
    const fromDuck = await replay(duck.timeseries)
    expect(fromDuck.alarms.length).toBeGreaterThan(0)
    expect(await replay(influx.timeseries)).toEqual(fromDuck)
  })
})
