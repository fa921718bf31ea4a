// The coil pages speak the reader's language (DESIGN.md "The reader's language"): the browser's
// Accept-Language picks for a scan without signing in, a person's `language` setting in
// config/people.yaml for a signed-in person. Over a real DuckDB store and the coils service.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCoils, type CoilService } from '../coils/service.ts'
import { loadConfig } from '../core/config.ts'
import { Credentials } from '../core/credentials.ts'
import { pickLanguage } from '../core/i18n.ts'
import { createRegistry } from '../core/metrics.ts'
import { buildApp } from '../dashboard/app.ts'
import { Sessions } from '../dashboard/auth/sessions.ts'
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/index.ts'
import { openCoilRecords } from '../store/duckdb/records-coils.ts'

const config = loadConfig({})
const log = pino({ level: 'silent' })
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p))
let store: DuckDbStore
let coils: CoilService
let app: FastifyInstance
let qa: string

beforeAll(async () => {
  store = await openDuckDbStore({ dir: tmp('mw-i18n-'), log, maintenanceIntervalMs: 0 })
  coils = await startCoils(
    { plant: config.plant, people: config.people, products: config.products, publicUrl: 'http://mill.example', log, timeseries: store.timeseries, records: store.records, coils: await openCoilRecords(store.sql) },
    { pollMs: 0, settleMs: 0 },
  )
  const t0 = Date.now() - 3_600_000
  await coils.register({ id: 'Z1', line: 'tcm1', startedAt: t0, finishedAt: t0 + 600_000, attributes: { grade: 'SPCC', heat: 'H9', targetThickness_mm: 0.5, width_mm: 1250, weight_t: 20.5 } }, { by: 'test' })
  const credentials = new Credentials(tmp('mw-i18n-cred-'))
  qa = credentials.createToken('t-qa', ['qa'], 'test').token
  app = await buildApp({
    config, log, metrics: createRegistry(), timeseries: store.timeseries, coils,
    health: () => ({ ready: true, parts: {} }),
    auth: { credentials, people: config.people, sessions: new Sessions(), records: store.records, demo: false, secureCookies: false },
  })
})
afterAll(async () => {
  await app?.close()
  await coils?.close()
  await store?.close()
})

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers })

describe('coil pages in the reader’s language', () => {
  it('serves the scanned coil page in Simplified Chinese for Accept-Language zh-CN, in English otherwise', async () => {
    const zh = await get('/c/Z1', { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' })
    expect(zh.statusCode).toBe(200)
    expect(zh.body).toContain('<html lang="zh-CN">')
    expect(zh.body).toContain('<dt>牌号</dt>')
    expect(zh.body).toContain('<dt>规格</dt>')
    expect(zh.body).toContain('<dt>重量</dt>')
    expect(zh.body).toContain('登录查看完整记录')
    expect(zh.body).toContain('<title>钢卷 Z1 · millwatch</title>')

    const en = await get('/c/Z1', { 'accept-language': 'en-GB,en;q=0.9' })
    expect(en.body).toContain('<dt>Grade</dt>')
    expect(en.body).toContain('Sign in for the full record')
    expect(en.body).not.toMatch(/牌号|钢卷/)
    expect((await get('/c/Z1')).body).toContain('<dt>Grade</dt>') // no header: English
  })

  it('translates the full record, the scanner and the "no such coil" page', async () => {
    const full = await get('/coils/Z1', { authorization: `Bearer ${qa}`, 'accept-language': 'zh-CN' })
    expect(full.body).toContain('<span class="status status-finished" id="status">已完成</span>')
    expect(full.body).toContain('<h2>轧制过程</h2>')
    expect(full.body).toContain('<dt>炉号</dt>')
    expect(full.body).toContain('<h2>钢卷谱系</h2>')

    const scan = await get('/scan', { 'accept-language': 'zh-CN' })
    expect(scan.body).toContain('<h1>扫描钢卷标签</h1>')
    expect(scan.body).toContain('或输入钢卷号')
    expect(scan.body).toContain('请将摄像头对准标签。') // what the scanner's script will say

    const missing = await get('/c/NOSUCH', { 'accept-language': 'zh' })
    expect(missing.statusCode).toBe(404)
    expect(missing.body).toContain('<h1>没有这个钢卷</h1>')
    expect(missing.body).toContain('millwatch 中没有钢卷“NOSUCH”。')
    const bad = await get('/01/123/21/X', { 'accept-language': 'zh-CN' })
    expect(bad.statusCode).toBe(404)
    expect(bad.body).toContain('此编码不对应任何钢卷')
  })

  it('picks the language from Accept-Language by q-value, and a person’s own setting first', () => {
    expect(pickLanguage('en;q=0.5, zh-CN;q=0.9')).toBe('zh-CN')
    expect(pickLanguage('zh-TW, en;q=0.3')).toBe('en') // Traditional Chinese is not what the pages speak
    expect(pickLanguage('fr-FR, de')).toBe('en')
    expect(pickLanguage('zh-Hans-CN')).toBe('zh-CN')
    expect(pickLanguage('en-US', 'zh-CN')).toBe('zh-CN')
    expect(pickLanguage('zh-CN;q=abc, en')).toBe('en')
  })
})
