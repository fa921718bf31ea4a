// The phone inbox: live alarm changes over server-sent events, and the one-tap acknowledge
// link from a message (signed, expiring, bound to one alarm and one person).
import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ackUrl, makeAckToken } from '../alerts/notify/ack-token.ts'
import { startAlerts, type Alerts } from '../alerts/service.ts'
import { loadConfig } from '../core/config.ts'
import { Credentials } from '../core/credentials.ts'
import { createRegistry } from '../core/metrics.ts'
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/index.ts'
import { openAlarmRecords } from '../store/duckdb/records-alarms.ts'
import { buildApp } from './app.ts'
import { Sessions } from './auth/sessions.ts'

const config = loadConfig({})
const log = pino({ level: 'silent' })
let store: DuckDbStore
let alerts: Alerts
let app: FastifyInstance
let credentials: Credentials
let base: string

beforeAll(async () => {
  store = await openDuckDbStore({ dir: mkdtempSync(join(tmpdir(), 'mw-inbox-')), maintenanceIntervalMs: 0 })
  const records = await openAlarmRecords(store.sql)
  alerts = await startAlerts({ plant: config.plant, people: config.people, configDir: config.configDir, log, metrics: createRegistry(), records, publish: () => {} })
  credentials = new Credentials(mkdtempSync(join(tmpdir(), 'mw-inbox-c-')))
  app = await buildApp({
    config, log, metrics: createRegistry(), timeseries: store.timeseries, health: () => ({ ready: true, parts: {} }),
    alerts: { alerts, records },
    auth: { credentials, people: config.people, sessions: new Sessions(), records: store.records, demo: true, secureCookies: false },
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
})
afterAll(async () => {
  await app?.close()
  await alerts?.close()
  await store?.close()
})

function raiseZoneD(equipment: string) {
  const t0 = Date.now() - 60_000
  for (let i = 0; i < 100; i++) alerts.onReadings('tcm1', equipment, t0 + i * 100, { vibration_mm_s: 8 })
  return alerts.engine.alarms({ active: true }).find((a) => a.equipment === equipment && a.rule === 'vibration_zone_d')!
}

it('streams the alarms that concern the signed-in worker, live', async () => {
  const token = credentials.createToken('inbox-test', ['worker'], 'test').token
  const res = await fetch(`${base}/api/alerts/stream`, { headers: { authorization: `Bearer ${token}` } })
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
  const reader = res.body!.getReader()
  let text = ''
  const until = async (re: RegExp) => {
    while (!re.test(text)) text += new TextDecoder().decode((await reader.read()).value)
  }
  await until(/event: snapshot/)
  const alarm = raiseZoneD('stand4')
  await until(/event: changes\ndata: .*vibration_zone_d/)
  expect(text).toContain(alarm.id)
  await reader.cancel()
})

it('acknowledges from a message link in one tap, as the person the link was made for', async () => {
  const alarm = raiseZoneD('stand1')
  const url = ackUrl(base, credentials.sessionSecret, alarm.id, 'liu.yang', Date.now() + 3_600_000)
  const page = await fetch(url)
  expect(page.status).toBe(200)
  const html = await page.text()
  expect(html).toMatch(/<form method="post" action="\/inbox\/ack" id="ack-form">/)
  expect(html).toMatch(/<script src="\/assets\/ack.js" defer><\/script>/)
  expect(alerts.engine.get(alarm.id)!.acknowledged).toBe(false) // a link preview acknowledges nothing

  const token = new URL(url).searchParams.get('token')!
  const done = await fetch(`${base}/inbox/ack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() })
  expect(done.status).toBe(200)
  expect(alerts.engine.get(alarm.id)).toMatchObject({ acknowledged: true, ackedBy: 'liu.yang' })
  expect((await store.records.audit({ action: 'alarm.ack' }))[0]).toMatchObject({ actor: 'liu.yang', target: alarm.id, details: { via: 'link' } })
})

it('refuses a forged, expired or tampered acknowledge link', async () => {
  const alarm = raiseZoneD('stand5')
  const post = (token: string) => fetch(`${base}/inbox/ack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() })
  const forged = makeAckToken('not the server secret, but long', { alarmId: alarm.id, personId: 'liu.yang', expires: Date.now() + 60_000 })
  expect((await post(forged)).status).toBe(401)
  const expired = makeAckToken(credentials.sessionSecret, { alarmId: alarm.id, personId: 'liu.yang', expires: Date.now() - 1 })
  expect((await post(expired)).status).toBe(401)
  const good = makeAckToken(credentials.sessionSecret, { alarmId: alarm.id, personId: 'liu.yang', expires: Date.now() + 60_000 })
  const [body, sig] = good.split('.')
  const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), a: 'another-alarm' })).toString('base64url')
  expect((await post(`${other}.${sig}`)).status).toBe(401)
  expect(alerts.engine.get(alarm.id)!.acknowledged).toBe(false)
})

it('sends a signed-out visitor to sign in', async () => {
  const r = await fetch(`${base}/inbox`, { redirect: 'manual' })
  expect(r.status).toBe(303)
  expect(r.headers.get('location')).toBe('/login?next=/inbox')
})
