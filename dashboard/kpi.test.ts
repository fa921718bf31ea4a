// The KPI endpoints through app.inject() over a real DuckDB store holding the hand-checked day
// of dashboard/kpi/fixture.ts: coil records with process summaries, 10-second exit speed
// readings (rolled up into 1-minute buckets), and alarm transitions in the records store.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAlerts, type Alerts } from '../alerts/service.ts'
import { loadConfig } from '../core/config.ts'
import { Credentials } from '../core/credentials.ts'
import { createRegistry } from '../core/metrics.ts'
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/index.ts'
import { openProductionRecords } from '../store/duckdb/records-production.ts'
import { buildApp } from './app.ts'
import { Sessions } from './auth/sessions.ts'
import { at, FROM, seedFixture, storedCoils, TO } from './kpi/fixture.ts'
import { openCoilRecords } from '../store/duckdb/records-coils.ts'

const config = loadConfig({})
const log = pino({ level: 'silent' })
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p))
const NOW = TO + 3_600_000
let store: DuckDbStore
let alerts: Alerts
let app: FastifyInstance
const tokens: Record<string, string> = {}

beforeAll(async () => {
  store = await openDuckDbStore({ dir: tmp('mw-kpi-'), log, now: () => NOW, maintenanceIntervalMs: 0 })
  const records = await seedFixture(store)
  alerts = await startAlerts({ plant: config.plant, people: config.people, configDir: config.configDir, log, metrics: createRegistry(), records, publish: () => {} })
  const credentials = new Credentials(tmp('mw-kpi-cred-'))
  for (const role of ['manager', 'worker'] as const) tokens[role] = credentials.createToken(`t-${role}`, [role], 'test').token
  app = await buildApp({
    config, log, metrics: createRegistry(), timeseries: store.timeseries, now: () => NOW,
    health: () => ({ ready: true, parts: {} }),
    alerts: { alerts, records },
    kpi: { production: await openProductionRecords(store.sql) },
    auth: { credentials, people: config.people, sessions: new Sessions(), records: store.records, demo: false, secureCookies: false },
  })
})
afterAll(async () => {
  await app?.close()
  await alerts?.close()
  await store?.close()
})

const get = (url: string, headers: Record<string, string> = {}, who = 'manager') => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[who]}`, ...headers } })
const range = `from=${FROM}&to=${TO}`

describe('GET /api/kpi/overview', () => {
  it('answers the hand-checked figures of the day, with the server time in a Server-Timing header', async () => {
    const r = await get(`/api/kpi/overview?${range}`)
    expect(r.statusCode).toBe(200)
    expect(r.headers['server-timing']).toMatch(/^app;dur=\d+(\.\d+)?$/)
    const o = r.json()
    expect(o).toMatchObject({ from: FROM, to: TO, timezone: 'Asia/Shanghai', line: 'tcm1' })
    expect(o.production).toEqual({ tonnage_t: 106, coils: 5, avgSpeed_mps: 19.524, peakSpeed_mps: 22 })
    expect(o.oee).toMatchObject({ runMinutes: 630, stopMinutes: 90, availability: 0.875, performance: 0.781, quality: 0.8889, oee: 0.6074 })
    expect(o.quality.byGrade.map((g: { grade: string; tonnage_t: number }) => [g.grade, g.tonnage_t])).toEqual([['DC01', 67], ['SPCC', 39]])
    expect(o.alarms).toMatchObject({ total: 3, mttaMs: 180_000, mttrMs: 700_000 })
    expect(o.alarms.perArea.map((a: { area: string; total: number }) => [a.area, a.total])).toEqual([['exit', 1], ['stands', 2]])
    expect(o.worstEquipment[0]).toEqual({ line: 'tcm1', equipment: 'stand2', area: 'stands', alarms: 2 })
  })

  it('narrows to a crew or a shift', async () => {
    const a = (await get(`/api/kpi/overview?${range}&crew=A`)).json()
    expect(a).toMatchObject({ crew: 'A', production: { tonnage_t: 40, coils: 2 }, oee: { oee: 0.6 }, alarms: { total: 1 } })
    expect((await get(`/api/kpi/overview?${range}&shift=night`)).json().production.tonnage_t).toBe(46)
    const hoursOfA = (await get(`/api/kpi/production?${range}&by=hour&crew=A`)).json().rows
    expect(hoursOfA.map((r: { label: string }) => r.label)).toEqual(['2025-11-24 16:00', '2025-11-24 17:00', '2025-11-24 18:00', '2025-11-24 19:00', '2025-11-24 20:00', '2025-11-24 21:00', '2025-11-24 22:00', '2025-11-24 23:00'])
    expect(hoursOfA.reduce((t: number, r: { tonnage_t: number }) => t + r.tonnage_t, 0)).toBe(40)
    const daysOnNights = (await get(`/api/kpi/production?${range}&by=day&shift=night`)).json().rows
    expect(daysOnNights.map((r: { key: string; tonnage_t: number }) => [r.key, r.tonnage_t])).toEqual([['2025-11-25', 46]])
  })

  it('defaults to the last 24 hours', async () => {
    const o = (await get('/api/kpi/overview')).json()
    expect([o.from, o.to]).toEqual([NOW - 86_400_000, NOW])
    expect(o.production.coils).toBe(6) // C0 too, at 13:59 the day before NOW
  })
})

describe('tables per period', () => {
  it('production by shift, oldest first, across the shift change and midnight', async () => {
    const b = (await get(`/api/kpi/production?${range}&by=shift`)).json()
    expect(b.by).toBe('shift')
    expect(b.rows.map((r: Record<string, unknown>) => [r.label, r.tonnage_t, r.coils, r.oee, r.alarms])).toEqual([
      ['2025-11-24 day · crew D', 20, 1, 0.8, 1],
      ['2025-11-24 evening · crew A', 40, 2, 0.6, 1],
      ['2025-11-25 night · crew B', 46, 2, 0.27, 1],
    ])
  })

  it('production by crew and by hour; OEE factors by day; quality per grade', async () => {
    expect((await get(`/api/kpi/production?${range}&by=crew`)).json().rows.map((r: { key: string; tonnage_t: number }) => [r.key, r.tonnage_t])).toEqual([['A', 40], ['B', 46], ['D', 20]])
    const hours = (await get(`/api/kpi/production?${range}&by=hour`)).json().rows
    expect(hours).toHaveLength(12)
    expect(hours[2]).toMatchObject({ label: '2025-11-24 16:00', runMinutes: 30, stopMinutes: 30, tonnage_t: 22 })
    const oee = (await get(`/api/kpi/oee?${range}&by=day`)).json().rows
    expect(oee.map((r: { key: string; availability: number }) => [r.key, r.availability])).toEqual([['2025-11-24', 570 / 600], ['2025-11-25', 0.5]])
    const q = (await get(`/api/kpi/quality?${range}`)).json()
    expect(q).toMatchObject({ coils: 5, tonnage_t: 106, inTolerancePct: 88.89 })
    expect(q.byGrade[0].cpk).toBeCloseTo(1 / (3 * Math.sqrt(0.29 / 3)), 3)
    const alarms = (await get(`/api/kpi/alarms?${range}&by=shift`)).json()
    expect(alarms.rows.map((r: { alarms: number; mttaMs: number | null }) => [r.alarms, r.mttaMs])).toEqual([[1, null], [1, 120_000], [1, 240_000]])
  })
})

describe('drill-down from a bad hour', () => {
  it('lists the coils that finished in it and the alarms raised in it', async () => {
    const hour = `from=${at('2025-11-24T16:00:00')}&to=${at('2025-11-24T17:00:00')}`
    expect((await get(`/api/kpi/coils?${hour}`)).json().coils.map((c: { id: string }) => c.id)).toEqual(['C2'])
    const next = `from=${encodeURIComponent('2025-11-24T17:00:00+08:00')}&to=${encodeURIComponent('2025-11-24T18:00:00+08:00')}`
    const list = (await get(`/api/alerts?${next}`)).json().alerts
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ equipment: 'stand2', raisedAt: at('2025-11-24T17:00:00'), ackedAt: at('2025-11-24T17:02:00'), ackedBy: 'liu.yang', active: false, acknowledged: true, state: 'normal' })
  })

  it('without from/to /api/alerts still lists the current alarms', async () => {
    const r = await get('/api/alerts')
    expect(r.statusCode).toBe(200)
    expect(r.json()).not.toHaveProperty('from')
  })
})

describe('CSV export', () => {
  it('?format=csv: a header row, one line per period, a file name', async () => {
    const r = await get(`/api/kpi/production?${range}&by=shift&format=csv`)
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toMatch(/^text\/csv/)
    expect(r.headers['content-disposition']).toMatch(/^attachment; filename="production-by-shift-tcm1-[\w.-]+\.csv"$/)
    const lines = r.body.split('\r\n')
    expect(lines[0]).toBe('key,label,from,to,crew,shift,tonnage_t,coils,avgSpeed_mps,peakSpeed_mps,inTolerancePct,oee,availability,performance,quality,runMinutes,stopMinutes,noDataMinutes,alarms')
    expect(lines[2]).toBe(`2025-11-24/evening,2025-11-24 evening · crew A,${at('2025-11-24T16:00:00')},${at('2025-11-25T00:00:00')},A,evening,40,2,20,22,80,0.6,0.9375,0.8,0.8,450,30,0,1`)
    expect(lines).toHaveLength(5) // header, three shifts, the empty string after the last CRLF
  })

  it('Accept: text/csv works too; the overview becomes figure,value rows', async () => {
    const r = await get(`/api/kpi/overview?${range}`, { accept: 'text/csv' })
    expect(r.headers['content-type']).toMatch(/^text\/csv/)
    expect(r.body).toMatch(/^figure,value\r\n/)
    expect(r.body).toContain('\r\nproduction.tonnage_t,106\r\n')
    expect(r.body).toContain('\r\nquality.byGrade.1.grade,SPCC\r\n')
  })
})

describe('bad input and access', () => {
  it.each([
    ['/api/kpi/production?by=week', /by/],
    [`/api/kpi/overview?from=${TO}&to=${FROM}`, /from must be before to/],
    ['/api/kpi/overview?from=yesterday', /from: "yesterday" is not a time/],
    ['/api/kpi/overview?crew=Z', /crew: no crew "Z"; crews: A, B, C, D/],
    ['/api/kpi/oee?shift=lunch', /shift: no shift "lunch"/],
    ['/api/kpi/quality?line=tcm9', /line: no line "tcm9"/],
    ['/api/kpi/overview?from=2020-01-01&to=2025-01-01', /366 days/],
    ['/api/kpi/overview?format=xlsx', /format/],
  ])('%s → 400 saying what is wrong', async (url, message) => {
    const r = await get(url)
    expect(r.statusCode).toBe(400)
    expect(r.json().message).toMatch(message)
  })

  it('a worker may not read the KPIs; signed out is 401', async () => {
    expect((await get('/api/kpi/overview', {}, 'worker')).statusCode).toBe(403)
    expect((await app.inject({ method: 'GET', url: '/api/kpi/overview' })).statusCode).toBe(401)
  })

  it('every KPI route is in /openapi.json with a summary and the tag kpi', async () => {
    const paths = (await app.inject({ method: 'GET', url: '/openapi.json' })).json().paths
    const kpi = Object.keys(paths).filter((p) => p.startsWith('/api/kpi/'))
    expect(kpi.sort()).toEqual(['/api/kpi/alarms', '/api/kpi/coils', '/api/kpi/oee', '/api/kpi/overview', '/api/kpi/production', '/api/kpi/quality'])
    for (const p of kpi) expect(paths[p].get).toMatchObject({ tags: ['kpi'], summary: expect.any(String) })
    const rows = paths['/api/kpi/production'].get.responses['200'].content['application/json'].schema.properties.rows
    expect(Object.keys(rows.items.properties)).toEqual(expect.arrayContaining(['label', 'tonnage_t', 'oee', 'availability', 'performance', 'quality']))
  })
})

describe('coils finished after a first read', () => {
  it('show up in the KPIs (the facts table follows the coil records)', async () => {
    const late = storedCoils()[1]
    const coil = { ...late, record: { ...late.record, id: 'C9', startedAt: TO, finishedAt: TO + 600_000 }, summary: { ...late.summary!, from: TO, to: TO + 600_000 } }
    await (await openCoilRecords(store.sql)).upsert([coil])
    const url = `/api/kpi/coils?from=${TO}&to=${TO + 3_600_000}`
    await expect.poll(async () => (await get(url)).json().coils.map((c: { id: string }) => c.id), { timeout: 30_000, interval: 500 }).toEqual(['C9'])
  })
})
