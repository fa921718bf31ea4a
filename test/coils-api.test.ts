// Coils over HTTP through app.inject(), over a real DuckDB store fed by real ingest: the public
// and signed-in views, the QR round trip through an independent decoder (zxing-wasm), GS1
// Digital Link and short-form resolution incl. malformed codes (a 404 page, never a 500), QA
// hold/release with the audit log, splits and genealogy, and who may do what.
import { mkdtempSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader'
import { startCoils, type CoilService } from '../coils/service.ts'
import { loadConfig } from '../core/config.ts'
import { Credentials } from '../core/credentials.ts'
import { createRegistry } from '../core/metrics.ts'
import type { Role } from '../core/people.ts'
import { buildApp } from '../dashboard/app.ts'
import { Sessions } from '../dashboard/auth/sessions.ts'
import { startIngest, type Ingest } from '../ingest/index.ts'
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/index.ts'
import { openCoilRecords } from '../store/duckdb/records-coils.ts'

const config = loadConfig({})
const log = pino({ level: 'silent' })
const PUBLIC = 'https://mill.example/mw'
const t0 = Math.floor((Date.now() - 20 * 60_000) / 1000) * 1000
let store: DuckDbStore
let ingest: Ingest
let coils: CoilService
let app: FastifyInstance
const tokens = {} as Record<Role, string>
const as = (role?: Role) => (role ? { authorization: `Bearer ${tokens[role]}` } : {})

async function rollCoil(id: string, grade: string, start: number) {
  const send = (topic: string, msg: object) => ingest.accept(topic, Buffer.from(JSON.stringify(msg)))
  await send('plant/tcm1/coil', { event: 'start', coilId: id, ts: start, parentId: 'HB7', heat: 'H77', grade, entryThickness_mm: 2.2, targetThickness_mm: 0.8, width_mm: 1200, weight_t: 18.5 })
  const w: (Promise<void> | undefined)[] = []
  for (let i = 0; i < 300; i++) w.push(send('plant/tcm1/exit/telemetry', { ts: start + i * 100, values: { thickness_um: 800 + (i % 2 ? 5 : -5), strip_speed_mps: 12 } }))
  await Promise.all(w)
  await send('plant/tcm1/coil', { event: 'finish', coilId: id, ts: start + 30_000 })
}

beforeAll(async () => {
  store = await openDuckDbStore({ dir: mkdtempSync(join(tmpdir(), 'mw-coilapi-')), log })
  const metrics = createRegistry()
  ingest = startIngest({ plant: config.plant, settings: config.ingest, log, timeseries: store.timeseries, records: store.records, metrics })
  coils = await startCoils(
    { plant: config.plant, people: config.people, products: config.products, publicUrl: PUBLIC, log, timeseries: store.timeseries, records: store.records, coils: await openCoilRecords(store.sql) },
    { pollMs: 0, settleMs: 0 },
  )
  const credentials = new Credentials(mkdtempSync(join(tmpdir(), 'mw-coilapi-cred-')))
  for (const role of ['worker', 'qa', 'engineer'] as Role[]) tokens[role] = credentials.createToken(`t-${role}`, [role], 'test').token
  app = await buildApp({
    config: { ...config, publicUrl: PUBLIC }, log, metrics, timeseries: store.timeseries, ingest, coils,
    health: () => ({ ready: true, parts: {} }),
    auth: { credentials, people: config.people, sessions: new Sessions(), records: store.records, demo: false, secureCookies: false },
  })
  await rollCoil('K1', 'DC01', t0) // DC01 has a GTIN: GS1 Digital Link
  await rollCoil('K2', 'SPCD', t0 + 60_000) // SPCD has none: short form
  await coils.poll()
  for (let i = 0; i < 200; i++) {
    const [a, b] = await Promise.all([coils.get('K1'), coils.get('K2')])
    if (a?.summary && b?.summary) break
    await new Promise((r) => setTimeout(r, 20))
  }
  const wasm = readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'))
  prepareZXingModule({ overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer }, fireImmediately: true })
})
afterAll(async () => {
  await app?.close()
  await coils?.close()
  await store?.close()
})

describe('coil API', () => {
  it('shows anyone the public view and signed-in roles the full record', async () => {
    const pub = await app.inject({ url: '/api/coils/K1' })
    expect(pub.statusCode).toBe(200)
    expect(pub.json()).toEqual({ id: 'K1', grade: 'DC01', thickness_mm: 0.8, width_mm: 1200, weight_t: 18.5, view: 'public' })
    const full = (await app.inject({ url: '/api/coils/K1', headers: as('worker') })).json()
    expect(full).toMatchObject({ id: 'K1', status: 'finished', heat: 'H77', view: 'full', tolerance_um: 60, links: { qr: `${PUBLIC}/01/09506000100029/10/H77/21/K1` } })
    expect(full.summary.thickness).toMatchObject({ samples: 300, inToleranceShare: 1 })
    expect(full.summary.thickness.mean_um).toBeCloseTo(800, 6)
    expect((await app.inject({ url: '/api/coils/nope', headers: as('worker') })).statusCode).toBe(404)
    expect((await app.inject({ url: '/api/coils/..%2F..', headers: as('worker') })).statusCode).toBe(404)
  })

  it('lists coils with filters; the list needs signing in', async () => {
    expect((await app.inject({ url: '/api/coils' })).statusCode).toBe(401)
    const all = (await app.inject({ url: '/api/coils', headers: as('worker') })).json()
    expect(all.coils.map((c: { id: string }) => c.id)).toEqual(['K2', 'K1'])
    const early = (await app.inject({ url: `/api/coils?from=${t0}&to=${t0 + 1000}&status=finished&limit=5`, headers: as('worker') })).json()
    expect(early.coils.map((c: { id: string }) => c.id)).toEqual(['K1'])
    expect((await app.inject({ url: '/api/coils?status=melted', headers: as('worker') })).statusCode).toBe(400)
  })

  it('QR round trip: the PNG decodes (zxing) to a URL that opens the coil page', async () => {
    for (const [id, path] of [['K1', '/mw/01/09506000100029/10/H77/21/K1'], ['K2', '/mw/c/K2']]) {
      const png = await app.inject({ url: `/api/coils/${id}/qr.png`, headers: as('qa') })
      expect(png.headers['content-type']).toBe('image/png')
      const [found] = await readBarcodes(new Blob([new Uint8Array(png.rawPayload)]), { formats: ['QRCode'] })
      expect(found.text).toBe(`https://mill.example${path}`)
      // PUBLIC_URL has a path prefix that a reverse proxy strips before millwatch
      const page = await app.inject({ url: new URL(found.text).pathname.replace(/^\/mw/, '') })
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain(`<h1 class="coil-id">${id}</h1>`)
      expect(page.body).toContain('18.50 t')
    }
    const svg = await app.inject({ url: '/api/coils/K2/qr.svg', headers: as('worker') })
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/)
    expect(svg.body).toMatch(/^<svg/)
    expect((await app.inject({ url: '/api/coils/K2/qr.svg' })).statusCode).toBe(401)
  })

  it('resolves GS1 Digital Link and short codes; a malformed or unknown code is a 404 page', async () => {
    for (const ok of ['/01/09506000100029/10/H77/21/K1', '/01/09506000100029/21/K1', '/01/9506000100029/21/K1?17=261231', '/c/K1', '/c/K1/', '/gtin/09506000100029/ser/K1'])
      expect((await app.inject({ url: ok })).statusCode, ok).toBe(200)
    for (const bad of [
      '/01/09506000100028/21/K1', // wrong check digit
      '/01/09506000100029/10/H77', // no serial
      '/01/09506000100029/21/K1/10/H77', // out of order
      '/01/09506000100029/99/x', // not a key qualifier
      '/01/abc/21/K1', '/01/09506000100029/21/%E0%A4%A', '/01/09506000100029/21', '/c/%ZZ', '/c/NOSUCH',
      `/c/${'A'.repeat(3000)}`,
    ]) {
      const res = await app.inject({ url: bad })
      expect(res.statusCode, bad).toBe(404)
      expect(res.headers['content-type'], bad).toMatch(/text\/html/)
      expect(res.body, bad).toContain('No such coil')
    }
    const scanned = await app.inject({ url: `/scan/resolve?code=${encodeURIComponent('https://other.host/x/01/09506000100029/21/K1')}` })
    expect(scanned.statusCode).toBe(303)
    expect(scanned.headers.location).toBe('/coils/K1')
    expect((await app.inject({ url: '/scan/resolve?code=K2' })).headers.location).toBe('/coils/K2')
    expect((await app.inject({ url: '/scan/resolve?code=garbage%20code' })).statusCode).toBe(404)
  })

  it('QA holds and releases with a reason, audited; others may not', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/coils/K1/hold', headers: as('worker'), payload: { reason: 'x' } })).statusCode).toBe(403)
    expect((await app.inject({ method: 'POST', url: '/api/coils/K1/hold', payload: { reason: 'x' } })).statusCode).toBe(401)
    const noReason = await app.inject({ method: 'POST', url: '/api/coils/K1/hold', headers: as('qa'), payload: {} })
    expect(noReason.statusCode).toBe(409)
    const held = await app.inject({ method: 'POST', url: '/api/coils/K1/hold', headers: as('qa'), payload: { reason: 'edge wave' } })
    expect(held.statusCode).toBe(200)
    expect(held.json()).toMatchObject({ status: 'hold', statusChange: { by: 'token:t-qa', reason: 'edge wave' } })
    const insp = await app.inject({ method: 'POST', url: '/api/coils/K1/inspections', headers: as('qa'), payload: { defect: 'edge wave', severity: 'major', position_m: 40 } })
    expect(insp.statusCode).toBe(201)
    expect((await app.inject({ method: 'POST', url: '/api/coils/K1/release', headers: as('qa') })).json()).toMatchObject({ status: 'released' })
    expect((await app.inject({ method: 'POST', url: '/api/coils/nope/release', headers: as('qa') })).statusCode).toBe(404)
    const audit = await store.records.audit({ action: undefined, limit: 20 })
    expect(audit.filter((a) => a.target === 'K1').map((a) => [a.action, a.actor])).toEqual([
      ['coil.release', 'token:t-qa'], ['coil.inspect', 'token:t-qa'], ['coil.hold', 'token:t-qa'],
    ])
    const full = (await app.inject({ url: '/api/coils/K1', headers: as('worker') })).json()
    expect(full.history.map((h: { status: string }) => h.status)).toEqual(['released', 'hold', 'finished', 'rolling'])
    expect(full.inspections[0]).toMatchObject({ defect: 'edge wave', inspector: 'token:t-qa', position_m: 40 })
  })

  it('splits a coil and walks its genealogy both ways; registers and corrects', async () => {
    const split = await app.inject({ method: 'POST', url: '/api/coils/K2/split', headers: as('qa'), payload: { children: [{ id: 'K2-1', width_mm: 600 }, { id: 'K2-2', width_mm: 600 }] } })
    expect(split.statusCode).toBe(201)
    expect((await app.inject({ method: 'POST', url: '/api/coils/K2/split', headers: as('qa'), payload: { children: [{ id: 'K2-3' }] } })).statusCode).toBe(409)
    const down = (await app.inject({ url: '/api/coils/K2/genealogy', headers: as('worker') })).json()
    expect(down.descendants.map((c: { id: string }) => c.id)).toEqual(['K2-1', 'K2-2'])
    const up = (await app.inject({ url: '/api/coils/K2-2/genealogy', headers: as('worker') })).json()
    expect(up.ancestors.map((c: { id: string; heat: string }) => [c.id, c.heat])).toEqual([['K2', 'H77']])
    expect(up.coil).toMatchObject({ id: 'K2-2', heat: 'H77', grade: 'SPCD', splitFrom: 'K2' })

    const reg = await app.inject({ method: 'POST', url: '/api/coils', headers: as('qa'), payload: { id: 'L3-9', line: 'tcm1', grade: 'DC04', weight_t: 7, finishedAt: t0 } })
    expect(reg.statusCode).toBe(201)
    expect((await app.inject({ method: 'POST', url: '/api/coils', headers: as('qa'), payload: { id: 'L3-9', line: 'tcm1', weight_t: 7.1 } })).json()).toMatchObject({ weight_t: 7.1, grade: 'DC04' })
    expect((await app.inject({ method: 'POST', url: '/api/coils', headers: as('qa'), payload: { id: 'L3-9', line: 'nope' } })).statusCode).toBe(400)
    expect((await app.inject({ method: 'POST', url: '/api/coils', headers: as('engineer'), payload: { id: 'L3-9', line: 'tcm1' } })).statusCode).toBe(403)
  })

  it('serves the pages and their assets from this server; the scan page may compile WebAssembly', async () => {
    const scan = await app.inject({ url: '/scan' })
    expect(scan.statusCode).toBe(200)
    expect(scan.headers['content-security-policy']).toContain("'wasm-unsafe-eval'")
    expect(scan.body).not.toMatch(/<script>|style="/)
    for (const [url, type] of [['/assets/scan.js', /javascript/], ['/assets/coil.js', /javascript/], ['/assets/coils.css', /css/], ['/assets/zxing/reader.js', /javascript/], ['/assets/zxing/zxing_reader.wasm', /application\/wasm/]] as const) {
      const r = await app.inject({ url })
      expect(r.statusCode, url).toBe(200)
      expect(r.headers['content-type'], url).toMatch(type)
    }
    const page = await app.inject({ url: '/coils/K1', headers: as('qa') })
    expect(page.body).toContain('In tolerance')
    expect(page.body).toContain('<polyline class="thickness"')
    expect(page.body).not.toMatch(/<script>|style="/)
    const signedOut = await app.inject({ url: '/coils/K1' })
    expect(signedOut.body).toContain('Sign in for the full record')
    expect(signedOut.body).not.toContain('H77')
    expect((await app.inject({ url: '/coils/K1/label' })).statusCode).toBe(303)
    const label = await app.inject({ url: '/coils/K1/label', headers: as('worker') })
    expect(label.body).toContain('<svg')
    const sheet = await app.inject({ url: `/coils/labels?at=${t0}`, headers: as('worker') })
    expect(sheet.statusCode).toBe(200)
    expect(sheet.body).toContain('K1')
    const openapi = (await app.inject({ url: '/openapi.json' })).json()
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/coils', '/api/coils/{id}', '/api/coils/{id}/genealogy', '/api/coils/{id}/qr.png', '/api/coils/{id}/hold']))
  })
})
