// The coil pages in a real headless Chromium (Debian package `chromium`, driven by
// playwright-core; CI installs it): a QA inspector signs in, opens a coil from the URL decoded
// out of its QR label, holds and releases it with the page's buttons; the scanner page loads
// under the CSP and its typed entry jumps to the coil.
import { mkdtempSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { chromium, type Browser } from 'playwright-core'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader'
import { startCoils, type CoilService } from '../coils/service.ts'
import { loadConfig } from '../core/config.ts'
import { Credentials } from '../core/credentials.ts'
import { createRegistry } from '../core/metrics.ts'
import { buildApp } from '../dashboard/app.ts'
import { Sessions } from '../dashboard/auth/sessions.ts'
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/index.ts'
import { openCoilRecords } from '../store/duckdb/records-coils.ts'

const config = loadConfig({})
const log = pino({ level: 'silent' })
const t0 = Math.floor((Date.now() - 20 * 60_000) / 1000) * 1000
let store: DuckDbStore
let coils: CoilService
let app: FastifyInstance
let browser: Browser
let base: string
let token: string

beforeAll(async () => {
  store = await openDuckDbStore({ dir: mkdtempSync(join(tmpdir(), 'mw-coilpages-')), log })
  coils = await startCoils(
    { plant: config.plant, people: config.people, products: config.products, publicUrl: 'https://mill.example', log, timeseries: store.timeseries, records: store.records, coils: await openCoilRecords(store.sql) },
    { pollMs: 0, settleMs: 0 },
  )
  const credentials = new Credentials(mkdtempSync(join(tmpdir(), 'mw-coilpages-cred-')))
  await credentials.setPassword('chen.jing', 'qa password 12345')
  token = credentials.createToken('labels', ['worker'], 'test').token
  const points = []
  for (let i = 0; i < 600; i++) points.push({ line: 'tcm1', equipment: 'exit', sensor: 'thickness_um', ts: t0 + i * 100, value: 800 + (i % 7) - 3 }, { line: 'tcm1', equipment: 'exit', sensor: 'strip_speed_mps', ts: t0 + i * 100, value: 15 })
  await store.timeseries.write(points)
  await coils.applyEvent({ line: 'tcm1', coilId: 'P1', event: 'start', ts: t0, attributes: { grade: 'DC01', heat: 'H5', targetThickness_mm: 0.8, width_mm: 1100, weight_t: 17.2 } })
  await coils.applyEvent({ line: 'tcm1', coilId: 'P1', event: 'finish', ts: t0 + 60_000, attributes: {} })
  await coils.summarize('P1')
  app = await buildApp({
    config, log, metrics: createRegistry(), timeseries: store.timeseries, coils,
    health: () => ({ ready: true, parts: {} }),
    auth: { credentials, people: config.people, sessions: new Sessions(), records: store.records, demo: false, secureCookies: false },
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  const wasm = readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'))
  prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer }, fireImmediately: true })
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await app?.close()
  await coils?.close()
  await store?.close()
})

describe('coil pages in Chromium', () => {
  it('QA opens the coil from its decoded QR URL, holds and releases it', async () => {
    const png = await fetch(`${base}/api/coils/P1/qr.png`, { headers: { authorization: `Bearer ${token}` } })
    const [code] = await readBarcodes(new Blob([await png.arrayBuffer()]), { formats: ['QRCode'] })
    expect(code.text).toBe('https://mill.example/01/09506000100029/10/H5/21/P1')
    const target = base + new URL(code.text).pathname

    const page = await browser.newPage()
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(e.message))
    // every resource loads, save the favicon the browser asks for on its own
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`))
    // signed out: the public view only
    await page.goto(target)
    expect(await page.textContent('h1')).toBe('P1')
    expect(await page.isVisible('text=Sign in for the full record')).toBe(true)
    // sign in through the page, come back to the coil
    await page.click('text=Sign in for the full record')
    await page.fill('#user', 'chen.jing')
    await page.fill('#password', 'qa password 12345')
    await Promise.all([page.waitForURL('**/coils/P1'), page.click('button[type=submit]')])
    // chen.jing reads Simplified Chinese (her `language` in config/people.yaml)
    expect(await page.textContent('#status')).toBe('已完成')
    expect(await page.textContent('#tolerance')).toContain('厚度合格')
    expect(await page.locator('svg.trace polyline').count()).toBe(1)

    await page.fill('#reason', 'scratch on the outer wrap')
    await Promise.all([page.waitForEvent('load'), page.click('#hold')])
    expect(await page.textContent('#status')).toBe('封锁')
    expect(await page.textContent('main')).toContain('scratch on the outer wrap')
    await Promise.all([page.waitForEvent('load'), page.click('#release')])
    expect(await page.textContent('#status')).toBe('放行')
    expect((await coils.history('P1')).map((h) => [h.status, h.by])).toEqual([['released', 'chen.jing'], ['hold', 'chen.jing'], ['finished', 'line:tcm1'], ['rolling', 'line:tcm1']])
    expect((await store.records.audit({ actor: 'chen.jing', limit: 10 })).map((a) => a.action)).toEqual(expect.arrayContaining(['coil.hold', 'coil.release']))
    expect(problems).toEqual([])
    await page.close()
  }, 60_000)

  it('the scanner page loads its decoder from this server and a typed ID opens the coil', async () => {
    const page = await browser.newPage()
    const problems: string[] = []
    page.on('pageerror', (e) => problems.push(e.message))
    const external: string[] = []
    page.on('request', (r) => !r.url().startsWith(base) && external.push(r.url()))
    await page.goto(`${base}/scan`)
    // no camera in headless CI: the page says so and offers typing
    await page.waitForFunction(() => /camera|Point/i.test(document.getElementById('scan-status')?.textContent ?? ''))
    expect(await page.evaluate(() => typeof (window as unknown as { ZXingWASM?: unknown }).ZXingWASM)).toBe('object')
    // the bundled decoder compiles its WebAssembly under the page's CSP
    const decoded = await page.evaluate(async () => {
      const z = (window as unknown as { ZXingWASM: { prepareZXingModule(o: object): void; getZXingModule(): Promise<unknown> } }).ZXingWASM
      z.prepareZXingModule({ overrides: { locateFile: (p: string, prefix: string) => (p.endsWith('.wasm') ? '/assets/zxing/zxing_reader.wasm' : prefix + p) } })
      await z.getZXingModule()
      return true
    })
    expect(decoded).toBe(true)
    await page.fill('#code', 'P1')
    await Promise.all([page.waitForURL('**/coils/P1'), page.click('#scan-form button')])
    expect(await page.textContent('h1')).toBe('P1')
    await page.goto(`${base}/01/09506000100029/21/NOPE`)
    expect(await page.textContent('h1')).toBe('No such coil')
    expect(external).toEqual([])
    expect(problems).toEqual([])
    await page.close()
  }, 60_000)
})
