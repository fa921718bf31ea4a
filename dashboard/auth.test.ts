// Access control through app.inject(): the endpoint × role table, sign-in with sessions and
// CSRF, throttling, security headers and the audit log — over a real DuckDB store and a real
// credentials file.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../core/config.ts'
import { Credentials } from '../core/credentials.ts'
import { createRegistry } from '../core/metrics.ts'
import type { Role } from '../core/people.ts'
import { startIngest } from '../ingest/index.ts'
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/index.ts'
import { buildApp } from './app.ts'
import { startAlerts, type Alerts } from '../alerts/service.ts'
import { startCoils, type CoilService } from '../coils/service.ts'
import { openAlarmRecords } from '../store/duckdb/records-alarms.ts'
import { openCoilRecords } from '../store/duckdb/records-coils.ts'
import { openProductionRecords, openShiftReportRecords } from '../store/duckdb/records-production.ts'
import { startShiftReports } from './kpi/report-schedule.ts'
import { Sessions } from './auth/sessions.ts'

const config = loadConfig({})
const log = pino({ level: 'silent' })
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p))
let store: DuckDbStore
let credentials: Credentials
let sessions: Sessions
let app: FastifyInstance // production-shaped: no anonymous reads
let demo: FastifyInstance // the loopback demo
let alerts: Alerts
let coils: CoilService
const tokens = {} as Record<Role, string>

async function build(isDemo: boolean) {
  const metrics = createRegistry()
  const ingest = startIngest({ plant: config.plant, settings: config.ingest, log, timeseries: store.timeseries, records: store.records, metrics })
  return buildApp({
    config, log, metrics, timeseries: store.timeseries, ingest, coils,
    alerts: { alerts, records: await openAlarmRecords(store.sql) },
    health: () => ({ ready: true, parts: {} }),
    auth: { credentials, people: config.people, sessions, records: store.records, demo: isDemo, secureCookies: false },
    kpi: await kpi(),
  })
}

async function kpi() {
  const production = await openProductionRecords(store.sql)
  const records = await openShiftReportRecords(store.sql)
  const sources = { timeseries: store.timeseries, production, alarms: await openAlarmRecords(store.sql) }
  return { production, reports: { records, generator: startShiftReports({ sources, reports: records, plant: config.plant, people: config.people, log }, { schedule: false, backfill: false }) } }
}

beforeAll(async () => {
  store = await openDuckDbStore({ dir: tmp('mw-auth-'), log })
  credentials = new Credentials(tmp('mw-auth-cred-'))
  sessions = new Sessions()
  for (const role of ['worker', 'foreman', 'qa', 'manager', 'engineer', 'admin'] as Role[]) tokens[role] = credentials.createToken(`t-${role}`, [role], 'test').token
  await credentials.setPassword('li.na', 'admin password 1')
  await credentials.setPassword('liu.yang', 'worker password 1')
  const alarmRecords = await openAlarmRecords(store.sql)
  alerts = await startAlerts({ plant: config.plant, people: config.people, configDir: config.configDir, log, metrics: createRegistry(), records: alarmRecords, publish: () => {} })
  coils = await startCoils(
    { plant: config.plant, people: config.people, products: config.products, publicUrl: 'http://mill.example', log, timeseries: store.timeseries, records: store.records, coils: await openCoilRecords(store.sql) },
    { pollMs: 0, settleMs: 0 },
  )
  app = await build(false)
  demo = await build(true)
})
afterAll(async () => {
  await app?.close()
  await demo?.close()
  await coils?.close()
  await alerts?.close()
  await store?.close()
})

type Who = Role | 'anonymous'
const WHO: Who[] = ['anonymous', 'worker', 'foreman', 'qa', 'manager', 'engineer', 'admin']
const as = (who: Who) => (who === 'anonymous' ? {} : { authorization: `Bearer ${tokens[who]}` })
const everyone = WHO.filter((w) => w !== 'anonymous')

// endpoint → the roles that may use it (everyone else: 403, or 401 when signed out)
const TABLE: Array<[method: 'GET' | 'POST' | 'DELETE', url: string, allowed: Who[], body?: object]> = [
  ['GET', '/healthz', WHO],
  ['GET', '/metrics', WHO],
  ['GET', '/openapi.json', WHO],
  ['GET', '/api/me', WHO],
  ['GET', '/api/plant', everyone],
  ['GET', '/api/series?line=tcm1&equipment=stand1&sensor=speed_mps', everyone],
  ['GET', '/api/latest?line=tcm1', everyone],
  ['GET', '/api/ingest/dead-letters', ['engineer', 'admin']],
  ['GET', '/api/tokens', ['admin']],
  ['POST', '/api/tokens', ['admin'], { name: 'scada', roles: ['manager'] }],
  ['DELETE', '/api/tokens/nosuchtoken', ['admin']],
  ['GET', '/api/audit', ['admin']],
  ['GET', '/api/alerts', everyone],
  ['GET', '/api/alerts/kpi', everyone],
  ['GET', '/api/alerts/nosuchalarm', everyone],
  ['GET', '/api/alerts/nosuchalarm/coils', everyone],
  ['GET', '/api/oncall?area=stands', everyone],
  ['POST', '/api/alerts/nosuchalarm/ack', ['worker', 'foreman'], {}],
  ['POST', '/api/alerts/nosuchalarm/shelve', ['foreman'], { minutes: 30, reason: 'roll change' }],
  ['POST', '/api/rules/what-if', ['engineer'], { line: 'tcm1', equipment: 'stand1', rule: { id: 'x' } }],
  ['GET', '/api/coils', everyone],
  ['GET', '/api/coils/C0000/genealogy', everyone],
  ['GET', '/api/coils/C0000/qr.svg', everyone],
  ['POST', '/api/coils/C0000/hold', ['qa'], { reason: 'edge crack' }],
  ['POST', '/api/coils/C0000/release', ['qa'], {}],
  ['POST', '/api/coils/C0000/inspections', ['qa'], { defect: 'scratch', severity: 'minor' }],
  // The QR view is for anyone holding the coil: no role needed (the public view), 404 if unknown.
  ['GET', '/api/coils/C0000', WHO],
  ['GET', '/c/C0000', WHO],
  ['GET', '/api/kpi/overview', ['manager', 'engineer', 'admin']],
  ['GET', '/api/kpi/production?by=shift', ['manager', 'engineer', 'admin']],
  ['GET', '/api/kpi/oee?by=day', ['manager', 'engineer', 'admin']],
  ['GET', '/api/kpi/quality', ['manager', 'engineer', 'admin']],
  ['GET', '/api/kpi/alarms', ['manager', 'engineer', 'admin']],
  ['GET', '/api/kpi/coils', ['manager', 'engineer', 'admin']],
  ['GET', '/api/reports', ['manager', 'engineer', 'admin']],
  ['GET', '/api/reports/nosuchreport', ['manager', 'engineer', 'admin']],
  ['POST', '/api/reports', ['engineer', 'admin'], {}],
]

describe('who may do what (endpoint × role)', () => {
  for (const [method, url, allowedFor, body] of TABLE)
    for (const who of WHO) {
      const ok = allowedFor.includes(who)
      it(`${method} ${url.split('?')[0]} as ${who} → ${ok ? 'allowed' : who === 'anonymous' ? '401' : '403'}`, async () => {
        const r = await app.inject({ method, url, headers: as(who), ...(body ? { payload: body } : {}) })
        // allowed: the handler answered (400 for the deliberately incomplete what-if rule, 404 for unknown ids)
        if (ok) expect([200, 201, 204, 400, 404]).toContain(r.statusCode)
        else {
          expect(r.statusCode).toBe(who === 'anonymous' ? 401 : 403)
          expect(r.json().message).toMatch(who === 'anonymous' ? /sign in/ : /may not/)
        }
        if (ok && url === '/api/tokens/nosuchtoken') expect(r.statusCode).toBe(404)
      })
    }

  it('in the loopback demo anyone may read telemetry, and nothing else', async () => {
    expect((await demo.inject({ method: 'GET', url: '/api/latest?line=tcm1' })).statusCode).toBe(200)
    expect((await demo.inject({ method: 'GET', url: '/api/plant' })).statusCode).toBe(200)
    expect((await demo.inject({ method: 'GET', url: '/api/ingest/dead-letters' })).statusCode).toBe(401)
    expect((await demo.inject({ method: 'GET', url: '/api/audit' })).statusCode).toBe(401)
  })

  it('refuses a revoked or forged token', async () => {
    const { id, token } = credentials.createToken('short-lived', ['admin'], 'test')
    expect((await app.inject({ method: 'GET', url: '/api/audit', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200)
    credentials.revokeToken(id)
    expect((await app.inject({ method: 'GET', url: '/api/audit', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/api/audit', headers: { authorization: 'Bearer mwt_AAAAAAAA_forged' } })).statusCode).toBe(401)
  })
})

/** A browser: keeps cookies between requests. */
function browser(target: FastifyInstance) {
  const jar = new Map<string, string>()
  const keep = (r: LightMyRequestResponse) => {
    for (const c of r.cookies) c.value ? jar.set(c.name, c.value) : jar.delete(c.name)
    return r
  }
  const cookies = () => Object.fromEntries(jar)
  return {
    jar,
    get: (url: string) => target.inject({ method: 'GET', url, cookies: cookies() }).then(keep),
    post: (url: string, form: Record<string, string>) =>
      target.inject({ method: 'POST', url, cookies: cookies(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() }).then(keep),
    async csrf() {
      return /name="_csrf" value="([^"]+)"/.exec((await this.get('/login')).body)![1]
    },
  }
}

describe('signing in', () => {
  it('signs in with a password, keeps an HttpOnly SameSite session, and signs out for good', async () => {
    const b = browser(app)
    const login = await b.post('/login', { _csrf: await b.csrf(), user: 'liu.yang', password: 'worker password 1', next: '/api/me' })
    expect(login.statusCode).toBe(303)
    expect(login.headers.location).toBe('/api/me')
    const cookie = login.cookies.find((c) => c.name === 'mw_session')!
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    const me = (await b.get('/api/me')).json()
    expect(me).toMatchObject({ signedIn: true, id: 'liu.yang', roles: ['worker'] })
    expect((await b.get('/api/latest?line=tcm1')).statusCode).toBe(200)
    expect((await b.get('/api/audit')).statusCode).toBe(403)

    const stolen = b.jar.get('mw_session')!
    expect((await b.post('/logout', {})).statusCode).toBe(403) // no CSRF token
    expect((await b.post('/logout', { _csrf: me.csrfToken })).statusCode).toBe(303)
    // the old cookie, replayed, is dead
    const replay = await app.inject({ method: 'GET', url: '/api/me', cookies: { mw_session: stolen } })
    expect(replay.json().signedIn).toBe(false)
  })

  it('refuses a tampered session cookie', async () => {
    const b = browser(app)
    await b.post('/login', { _csrf: await b.csrf(), user: 'liu.yang', password: 'worker password 1' })
    const value = b.jar.get('mw_session')!
    const forged = value.replace('liu.yang', 'li.na')
    expect((await app.inject({ method: 'GET', url: '/api/me', cookies: { mw_session: forged } })).json().signedIn).toBe(false)
  })

  it('refuses a sign-in without the CSRF token and a redirect to another site', async () => {
    const b = browser(app)
    expect((await b.post('/login', { user: 'li.na', password: 'admin password 1' })).statusCode).toBe(403)
    const r = await b.post('/login', { _csrf: await b.csrf(), user: 'li.na', password: 'admin password 1', next: '//evil.example/x' })
    expect(r.headers.location).toBe('/')
  })

  it('slows down password guessing on an account', async () => {
    const b = browser(app)
    const csrf = await b.csrf()
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) statuses.push((await b.post('/login', { _csrf: csrf, user: 'zhao.lei', password: `guess ${i}` })).statusCode)
    expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401])
    expect(statuses[6]).toBe(429)
  })

  it('lets a one-time sign-in link in once', async () => {
    const token = sessions.oneTimeLink('li.na')
    const b = browser(app)
    expect((await b.get(`/login/once?token=${token}`)).statusCode).toBe(303)
    expect((await b.get('/api/me')).json()).toMatchObject({ signedIn: true, id: 'li.na' })
    expect((await browser(app).get(`/login/once?token=${token}`)).statusCode).toBe(401)
  })

  it('sends strict security headers: CSP without inline scripts, no framing', async () => {
    const r = await app.inject({ method: 'GET', url: '/login' })
    const csp = String(r.headers['content-security-policy'])
    expect(csp).toMatch(/script-src 'self'(;|$)/)
    expect(csp).not.toMatch(/unsafe-inline/)
    expect(csp).toMatch(/frame-ancestors 'none'/)
    expect(r.headers['x-content-type-options']).toBe('nosniff')
    expect(r.body).not.toMatch(/<script>|style="/)
  })
})

describe('the audit log', () => {
  it('records sign-ins and token changes with who, when and from where', async () => {
    const b = browser(app)
    await b.post('/login', { _csrf: await b.csrf(), user: 'li.na', password: 'admin password 1' })
    const created = (await app.inject({ method: 'POST', url: '/api/tokens', headers: as('admin'), payload: { name: 'historian', roles: ['manager'] } })).json()
    const entries = (await app.inject({ method: 'GET', url: '/api/audit?limit=50', headers: as('admin') })).json().entries
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: 'li.na', action: 'session.signin', from: '127.0.0.1' }),
        expect.objectContaining({ actor: 'token:t-admin', action: 'token.create', target: created.id, details: { name: 'historian', roles: ['manager'] } }),
      ]),
    )
    expect(entries[0].ts).toBeGreaterThan(Date.now() - 60_000)
  })
})
