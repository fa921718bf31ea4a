// The worker's phone inbox and the one-tap acknowledge link speak the reader's language
// (DESIGN.md): the link's person's `language` in people.yaml (liu.yang: zh-CN), else the
// phone browser's Accept-Language. Real alerts service and DuckDB store, app.inject().
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ackUrl } from '../alerts/notify/ack-token.ts'
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

beforeAll(async () => {
  store = await openDuckDbStore({ dir: mkdtempSync(join(tmpdir(), 'mw-inbox-i18n-')), maintenanceIntervalMs: 0 })
  const records = await openAlarmRecords(store.sql)
  alerts = await startAlerts({ plant: config.plant, people: config.people, configDir: config.configDir, log, metrics: createRegistry(), records, publish: () => {} })
  credentials = new Credentials(mkdtempSync(join(tmpdir(), 'mw-inbox-i18n-c-')))
  app = await buildApp({
    config, log, metrics: createRegistry(), timeseries: store.timeseries, health: () => ({ ready: true, parts: {} }),
    alerts: { alerts, records },
    auth: { credentials, people: config.people, sessions: new Sessions(), records: store.records, demo: false, secureCookies: false },
  })
})
afterAll(async () => {
  await app?.close()
  await alerts?.close()
  await store?.close()
})

it('shows the inbox in Simplified Chinese for Accept-Language zh-CN, with the buttons the script draws', async () => {
  const token = credentials.createToken('phone', ['worker'], 'test').token
  const zh = await app.inject({ url: '/inbox', headers: { authorization: `Bearer ${token}`, 'accept-language': 'zh-CN,zh;q=0.9' } })
  expect(zh.statusCode).toBe(200)
  expect(zh.body).toContain('<h1>报警</h1>')
  const texts = JSON.parse(/data-texts="([^"]*)"/.exec(zh.body)![1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'))
  expect(texts).toMatchObject({ acknowledge: '确认', shelve: '搁置 1 小时', state: { unacknowledged: '未确认' }, priority: { high: '高' } })
  const en = await app.inject({ url: '/inbox', headers: { authorization: `Bearer ${token}`, 'accept-language': 'en-US' } })
  expect(en.body).toContain('<h1>Alarms</h1>')
  expect(en.body).toContain('Shelve 1 h')
})

it('answers a message’s acknowledge link in the language of the person it was sent to', async () => {
  const t0 = Date.now() - 60_000
  for (let i = 0; i < 100; i++) alerts.onReadings('tcm1', 'stand2', t0 + i * 100, { vibration_mm_s: 8 })
  const alarm = alerts.engine.alarms({ active: true }).find((a) => a.equipment === 'stand2' && a.rule === 'vibration_zone_d')!
  const url = new URL(ackUrl('http://mill.example', credentials.sessionSecret, alarm.id, 'liu.yang', Date.now() + 3_600_000))
  const page = await app.inject({ url: url.pathname + url.search, headers: { 'accept-language': 'en' } })
  expect(page.statusCode).toBe(200)
  expect(page.body).toContain('<html lang="zh-CN">')
  expect(page.body).toContain('<button type="submit">确认</button>')
  const bad = await app.inject({ url: '/inbox/ack?token=forged', headers: { 'accept-language': 'zh-CN' } })
  expect(bad.statusCode).toBe(401)
  expect(bad.body).toContain('此确认链接无效')
})
