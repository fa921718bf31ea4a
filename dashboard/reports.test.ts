// Shift reports: built for an ended shift from the hand-checked day (dashboard/kpi/fixture.ts)
// in a real DuckDB store, stored, served as JSON and as a printable page; built on demand by
// an engineer; the missing last report built at start; the cron times in plant time.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../core/config.ts'
import { Credentials } from '../core/credentials.ts'
import { createRegistry } from '../core/metrics.ts'
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/index.ts'
import { openProductionRecords, openShiftReportRecords } from '../store/duckdb/records-production.ts'
import type { ShiftReportRecords } from '../store/types.ts'
import { buildApp } from './app.ts'
import { Sessions } from './auth/sessions.ts'
import { at, seedFixture, TO } from './kpi/fixture.ts'
import { reportSchedules, startShiftReports, type ShiftReports } from './kpi/report-schedule.ts'

const config = loadConfig({})
const log = pino({ level: 'silent' })
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p))
const NOW = TO + 3_600_000 // 2025-11-25 03:00 plant time, in the night shift
let store: DuckDbStore
let reports: ShiftReportRecords
let generator: ShiftReports
let app: FastifyInstance
const tokens: Record<string, string> = {}

beforeAll(async () => {
  store = await openDuckDbStore({ dir: tmp('mw-reports-'), log, now: () => NOW, maintenanceIntervalMs: 0 })
  const alarms = await seedFixture(store)
  const production = await openProductionRecords(store.sql)
  reports = await openShiftReportRecords(store.sql)
  // As at start: no cron in a test, but the last ended shift's report is built if missing.
  generator = startShiftReports({ sources: { timeseries: store.timeseries, production, alarms }, reports, plant: config.plant, people: config.people, log, now: () => NOW }, { schedule: false })
  const credentials = new Credentials(tmp('mw-reports-cred-'))
  for (const role of ['manager', 'engineer'] as const) tokens[role] = credentials.createToken(`t-${role}`, [role], 'test').token
  app = await buildApp({
    config, log, metrics: createRegistry(), timeseries: store.timeseries, now: () => NOW,
    health: () => ({ ready: true, parts: {} }),
    kpi: { production, reports: { records: reports, generator } },
    auth: { credentials, people: config.people, sessions: new Sessions(), records: store.records, demo: false, secureCookies: false },
  })
})
afterAll(async () => {
  generator?.close()
  await app?.close()
  await store?.close()
})

const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` })

describe('shift reports', () => {
  it('at start, the last ended shift (evening, crew A) gets its report with the shift figures', async () => {
    await expect.poll(() => reports.get('tcm1-2025-11-24-evening'), { timeout: 30_000 }).toBeDefined()
    const r = await app.inject({ method: 'GET', url: '/api/reports/tcm1-2025-11-24-evening', headers: as('manager') })
    expect(r.statusCode).toBe(200)
    const body = r.json()
    expect(body).toMatchObject({ id: 'tcm1-2025-11-24-evening', line: 'tcm1', shiftId: 'evening', date: '2025-11-24', crew: 'A', start: at('2025-11-24T16:00:00'), end: at('2025-11-25T00:00:00') })
    expect(body.report).toMatchObject({ production: { tonnage_t: 40, coils: 2 }, oee: { oee: 0.6, availability: 0.9375 }, downtimeMinutes: 30, alarms: { total: 1, mttaMs: 120_000 } })
    expect(body.report.hours).toHaveLength(8)
    expect(body.report.worstEquipment).toEqual([{ line: 'tcm1', equipment: 'stand2', area: 'stands', alarms: 1 }])
  })

  it('an engineer builds one on demand; it is listed and printable in plant time', async () => {
    const made = await app.inject({ method: 'POST', url: '/api/reports?shift=2025-11-25/night', headers: as('engineer') })
    expect(made.statusCode).toBe(201)
    expect(made.headers.location).toBe('/reports/tcm1-2025-11-25-night')
    expect(made.json().report.production).toMatchObject({ tonnage_t: 46, coils: 2 })
    const byTime = await app.inject({ method: 'POST', url: `/api/reports?shift=${encodeURIComponent('2025-11-24T15:00:00+08:00')}`, headers: as('engineer') })
    expect(byTime.json()).toMatchObject({ id: 'tcm1-2025-11-24-day', crew: 'D', report: { production: { tonnage_t: 50, coils: 2 } } }) // C0 at 13:59 too: the whole shift

    const list = (await app.inject({ method: 'GET', url: '/api/reports', headers: as('manager') })).json().reports
    expect(list.map((r: { id: string }) => r.id)).toEqual(['tcm1-2025-11-25-night', 'tcm1-2025-11-24-evening', 'tcm1-2025-11-24-day'])

    const page = await app.inject({ method: 'GET', url: '/reports/tcm1-2025-11-24-evening', headers: as('manager') })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.body).toContain('Shift report 2025-11-24 evening · crew A')
    expect(page.body).toContain('2025-11-24 16:00 – 2025-11-25 00:00 (Asia/Shanghai)')
    expect(page.body).toContain('<dd>40.0 t</dd>')
    expect(page.body).toContain('href="/assets/report.css"')
    expect(page.body).not.toMatch(/<script|style=/)
    const css = await app.inject({ method: 'GET', url: '/assets/report.css' })
    expect(css.body).toContain('@media print')
    const index = await app.inject({ method: 'GET', url: '/reports', headers: as('manager') })
    expect(index.body).toContain('href="/reports/tcm1-2025-11-25-night"')
  })

  it('refuses what it cannot build, and who may not', async () => {
    const post = (q: string, who = 'engineer') => app.inject({ method: 'POST', url: `/api/reports?${q}`, headers: as(who) })
    expect((await post('shift=2025-11-24/lunch')).json().message).toMatch(/no shift "lunch"/)
    expect((await post('shift=2099-01-01T00:00:00Z')).json().message).toMatch(/not begun/)
    expect((await post('shift=soon')).statusCode).toBe(400)
    expect((await post('line=tcm9')).statusCode).toBe(400)
    expect((await post('', 'manager')).statusCode).toBe(403)
    expect((await app.inject({ method: 'GET', url: '/api/reports/nosuch', headers: as('manager') })).statusCode).toBe(404)
    const signedOut = await app.inject({ method: 'GET', url: '/reports/tcm1-2025-11-24-evening' })
    expect(signedOut.statusCode).toBe(303)
    expect(signedOut.headers.location).toBe('/login?next=%2Freports%2Ftcm1-2025-11-24-evening')
  })

  it('cron fires five minutes after each shift change', () => {
    expect(reportSchedules(config.people.file.shifts)).toEqual(['5 8 * * *', '5 16 * * *', '5 0 * * *'])
    expect(reportSchedules([{ start: '23:58' }])).toEqual(['3 0 * * *'])
  })
})
