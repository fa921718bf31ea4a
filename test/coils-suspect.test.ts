// "Suspect" coils (issue 5) with the real parts: a DuckDB store in a temp folder, the alerts
// service with the shipped rules (ISO 10816-3 zone D on a stand is a high-priority alarm,
// zone C a medium one), the coils service and the suspect watcher wired as bin/start.ts does,
// and the HTTP API through app.inject(). Readings go to the alerts part the way ingest hands
// them over; coil events are applied the way the coils part applies stored ones.
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { alarmsDuring } from '../alerts/during.ts'
import { startAlerts, type Alerts } from '../alerts/service.ts'
import { startCoils, type CoilService } from '../coils/service.ts'
import { startSuspectMarking, type SuspectWatcher } from '../coils/suspect.ts'
import { loadConfig } from '../core/config.ts'
import { ConfigError } from '../core/errors.ts'
import { Credentials } from '../core/credentials.ts'
import { createRegistry } from '../core/metrics.ts'
import { buildApp } from '../dashboard/app.ts'
import { Sessions } from '../dashboard/auth/sessions.ts'
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/index.ts'
import { openAlarmRecords } from '../store/duckdb/records-alarms.ts'
import { openCoilRecords } from '../store/duckdb/records-coils.ts'

const config = loadConfig({})
const log = pino({ level: 'silent' })
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p))
const t0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000
let clock = t0
let store: DuckDbStore
let alerts: Alerts
let coils: CoilService
let watcher: SuspectWatcher
let app: FastifyInstance
let auth: { authorization: string }

/** Stand 3's vibration at `mm_s` every 100 ms over [from, from + ms). */
function vibration(mm_s: number, from: number, ms: number) {
  for (let ts = from; ts < from + ms; ts += 100) {
    clock = Math.max(clock, ts)
    alerts.onReadings('tcm1', 'stand3', ts, { vibration_mm_s: mm_s })
  }
}
const coilEvent = (event: 'start' | 'finish', coilId: string, ts: number) => {
  clock = Math.max(clock, ts)
  return coils.applyEvent({ line: 'tcm1', coilId, event, ts, attributes: event === 'start' ? { grade: 'SPCC', heat: 'H1', targetThickness_mm: 0.5, width_mm: 1250, weight_t: 20 } : {} })
}
const settled = async () => (await alerts.flushed(), await watcher.settled())
const suspectOf = async (id: string) => (await coils.get(id))!.record.suspectAlarms
const zoneD = () => alerts.engine.get('tcm1/stand3/vibration_mm_s/vibration_zone_d')!

beforeAll(async () => {
  store = await openDuckDbStore({ dir: tmp('mw-suspect-'), log, maintenanceIntervalMs: 0 })
  const records = await openAlarmRecords(store.sql)
  alerts = await startAlerts({ plant: config.plant, people: config.people, configDir: config.configDir, log, metrics: createRegistry(), records, publish: () => {}, now: () => clock, tickMs: 3_600_000 })
  coils = await startCoils(
    {
      plant: config.plant, people: config.people, products: config.products, publicUrl: 'http://mill.example', log, timeseries: store.timeseries, records: store.records,
      coils: await openCoilRecords(store.sql), alarmsDuring: (line, from, to) => alarmsDuring(records, line, from, to), suspectPriorities: config.coils.suspectPriorities, now: () => clock,
    },
    { pollMs: 0, settleMs: 0 },
  )
  watcher = startSuspectMarking({ coils, priorities: config.coils.suspectPriorities, log, now: () => clock, recheckMs: 3_600_000 })
  alerts.subscribe((changes) => watcher.observe(changes))
  const credentials = new Credentials(tmp('mw-suspect-cred-'))
  auth = { authorization: `Bearer ${credentials.createToken('t-qa', ['qa'], 'test').token}` }
  app = await buildApp({
    config, log, metrics: createRegistry(), timeseries: store.timeseries, coils, alerts: { alerts, records },
    health: () => ({ ready: true, parts: {} }),
    auth: { credentials, people: config.people, sessions: new Sessions(), records: store.records, demo: false, secureCookies: false },
  })
})
afterAll(async () => {
  await app?.close()
  await watcher?.close()
  await coils?.close()
  await alerts?.close()
  await store?.close()
})

describe('suspect coils', () => {
  it('marks the coil on the mill when a high-priority alarm is raised, at once, and lists it for the alarm', async () => {
    await coilEvent('start', 'S-ROLLING', t0)
    vibration(1.5, t0, 30_000)
    vibration(8.5, t0 + 30_000, 10_000) // zone D for longer than its 5 s on-delay
    const alarm = zoneD()
    expect(alarm).toMatchObject({ active: true, priority: 'high' })
    await settled()
    const rec = (await coils.get('S-ROLLING'))!.record
    expect(rec.status).toBe('rolling') // not waiting for the finish
    expect(rec.suspectAlarms).toEqual([alarm.id])

    vibration(1.5, t0 + 40_000, 40_000) // back below zone D for longer than the 30 s off-delay
    expect(zoneD().active).toBe(false)
    await coilEvent('finish', 'S-ROLLING', t0 + 90_000)
    await coilEvent('start', 'S-AFTER', t0 + 100_000) // after the alarm cleared
    await coilEvent('finish', 'S-AFTER', t0 + 160_000)
    await coils.summarize('S-ROLLING')
    await coils.summarize('S-AFTER')
    await settled()
    expect(await suspectOf('S-ROLLING')).toEqual([alarm.id]) // the summary found it again: still once
    expect(await suspectOf('S-AFTER')).toEqual([])

    const r = await app.inject({ url: `/api/alerts/${encodeURIComponent(alarm.id)}/coils`, headers: auth })
    expect(r.statusCode).toBe(200)
    const body = r.json()
    expect(body.alarm).toMatchObject({ id: alarm.id, line: 'tcm1', equipment: 'stand3', priority: 'high' })
    expect(body.alarm.intervals).toHaveLength(1)
    expect(body.alarm.intervals[0].to).toBeGreaterThan(body.alarm.intervals[0].from)
    expect(body.coils.map((c: { id: string }) => c.id)).toEqual(['S-ROLLING'])
  })

  it('marks a coil that had already finished when an alarm raised during its rolling is noticed', async () => {
    const start = t0 + 10 * 60_000
    await coilEvent('start', 'S-LATE', start)
    await coilEvent('finish', 'S-LATE', start + 60_000)
    await coils.summarize('S-LATE')
    expect(await suspectOf('S-LATE')).toEqual([]) // nothing known when it was summarised
    // A gateway delivers its buffered readings afterwards: zone D 20 s into the coil.
    vibration(1.5, start, 20_000)
    vibration(9, start + 20_000, 8_000)
    vibration(1.5, start + 28_000, 40_000)
    await settled()
    const ids = await suspectOf('S-LATE')
    expect(ids).toHaveLength(1)
    expect(ids[0]).toMatch(/vibration_zone_d/)
    expect((await coils.get('S-LATE'))!.record.status).toBe('finished')
  })

  it('leaves coils alone for a medium-priority alarm, and marks a coil that starts while the alarm is active', async () => {
    const start = t0 + 20 * 60_000
    await coilEvent('start', 'S-MEDIUM', start)
    vibration(5.5, start, 20_000) // zone C (medium) for longer than its 10 s on-delay
    expect(alerts.engine.get('tcm1/stand3/vibration_mm_s/vibration_zone_c')).toMatchObject({ active: true, priority: 'medium' })
    vibration(1.5, start + 20_000, 40_000)
    await coilEvent('finish', 'S-MEDIUM', start + 60_000)
    await coils.summarize('S-MEDIUM')
    await settled()
    expect(await suspectOf('S-MEDIUM')).toEqual([])

    // Zone D raised before the next coil starts and still active while it rolls.
    vibration(9, start + 70_000, 10_000)
    const alarm = zoneD()
    expect(alarm.active).toBe(true)
    await coilEvent('start', 'S-DURING', start + 85_000)
    vibration(9, start + 80_000, 10_000)
    vibration(1.5, start + 90_000, 40_000) // the watcher checks the alarm's whole active time when it clears
    await settled()
    expect(await suspectOf('S-DURING')).toEqual([alarm.id])
  })

  it('GET /api/coils?suspect=true lists the suspect coils; the coil page says why', async () => {
    const list = async (q: string) => (await app.inject({ url: `/api/coils?${q}`, headers: auth })).json().coils.map((c: { id: string }) => c.id).sort()
    expect(await list('suspect=true')).toEqual(['S-DURING', 'S-LATE', 'S-ROLLING'])
    expect(await list('suspect=false')).toEqual(['S-AFTER', 'S-MEDIUM'])
    expect((await app.inject({ url: '/api/coils?suspect=maybe', headers: auth })).statusCode).toBe(400)

    const page = await app.inject({ url: '/coils/S-LATE', headers: auth })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('id="suspect"')
    expect(page.body).toMatch(/An equipment alarm was active while this coil was rolled/)
    expect(page.body).toMatch(/\/api\/alerts\/tcm1\.stand3\.vibration_mm_s\.vibration_zone_d\.\d+\/coils/)
    expect((await app.inject({ url: '/coils/S-AFTER', headers: auth })).body).not.toContain('id="suspect"')
  })

  it('answers 404 with a message for an alarm that never was, and needs a signed-in role', async () => {
    const r = await app.inject({ url: '/api/alerts/tcm1.stand3.nosuch.1/coils', headers: auth })
    expect(r.statusCode).toBe(404)
    expect(r.json().message).toMatch(/no alarm "tcm1.stand3.nosuch.1"/)
    expect((await app.inject({ url: `/api/alerts/${encodeURIComponent(zoneD().id)}/coils` })).statusCode).toBe(401)
    expect(Object.keys((await app.inject({ url: '/openapi.json' })).json().paths)).toContain('/api/alerts/{id}/coils')
  })
})

describe('suspect priorities (config/millwatch.yaml coils.suspectPriorities)', () => {
  const withSettings = (yaml: string) => {
    const dir = tmp('mw-suspect-conf-')
    for (const f of ['plant.yaml', 'people.yaml']) copyFileSync(join(config.configDir, f), join(dir, f))
    writeFileSync(join(dir, 'millwatch.yaml'), yaml)
    return () => loadConfig({ CONFIG_DIR: dir })
  }
  it('defaults to critical and high, can be changed, and a wrong priority is reported', () => {
    expect(withSettings('{}')().coils.suspectPriorities).toEqual(['critical', 'high'])
    expect(withSettings('coils: { suspectPriorities: [critical, high, medium] }')().coils.suspectPriorities).toEqual(['critical', 'high', 'medium'])
    expect(withSettings('coils: { suspectPriorities: [urgent] }')).toThrow(ConfigError)
    expect(withSettings('coils: { suspectPriorities: [urgent] }')).toThrow(/coils\.suspectPriorities\[0\]/)
  })
})
