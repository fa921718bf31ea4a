// The HTTP API through app.inject(), over a real DuckDB store in a temp folder.
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../core/config.ts'
import { createRegistry } from '../core/metrics.ts'
import { startIngest } from '../ingest/index.ts'
import { openDuckDbStore } from '../store/duckdb/index.ts'
import { Credentials } from '../core/credentials.ts'
import { Sessions } from './auth/sessions.ts'
import { buildApp } from './app.ts'

const config = loadConfig({})
const log = pino({ level: 'silent' })
const t0 = Date.parse('2025-11-24T10:00:00Z')
let app: FastifyInstance
let store: Awaited<ReturnType<typeof openDuckDbStore>>
let engineer: string

beforeAll(async () => {
  store = await openDuckDbStore({ dir: mkdtempSync(join(tmpdir(), 'mw-dash-')), log })
  const metrics = createRegistry()
  const ingest = startIngest({ plant: config.plant, settings: config.ingest, log, timeseries: store.timeseries, records: store.records, metrics, now: () => t0 + 60_000 })
  const writes: Promise<void>[] = []
  for (let i = 0; i < 60; i++) {
    const msg = { ts: t0 + i * 1000, values: { vibration_mm_s: i % 10, bearing_temp_C: 50 + i / 10 } }
    writes.push(ingest.accept('plant/tcm1/stand2/telemetry', Buffer.from(JSON.stringify(msg)))!)
  }
  ingest.accept('plant/tcm1/stand2/telemetry', Buffer.from('not json'))
  await Promise.all(writes)
  const credentials = new Credentials(mkdtempSync(join(tmpdir(), 'mw-dash-cred-')))
  engineer = credentials.createToken('test-engineer', ['engineer'], 'test').token
  app = await buildApp({
    config,
    log,
    metrics,
    timeseries: store.timeseries,
    ingest,
    health: () => ({ ready: true, parts: { store: 'duckdb' } }),
    now: () => t0 + 60_000,
    // the loopback demo: telemetry is readable without signing in
    auth: { credentials, people: config.people, sessions: new Sessions(), records: store.records, demo: true, secureCookies: false },
  })
})
afterAll(async () => {
  await app?.close()
  await store?.close()
})

const get = (url: string) => app.inject({ method: 'GET', url, headers: url.startsWith('/api/ingest') ? { authorization: `Bearer ${engineer}` } : {} })

describe('HTTP API', () => {
  it('serves raw points oldest first, from inclusive and to exclusive', async () => {
    const r = await get(`/api/series?line=tcm1&equipment=stand2&sensor=vibration_mm_s&from=${t0 + 10_000}&to=${t0 + 15_000}`)
    expect(r.statusCode).toBe(200)
    const body = r.json()
    expect(body).toMatchObject({ line: 'tcm1', equipment: 'stand2', sensor: 'vibration_mm_s', unit: 'mm/s', truncated: false })
    expect(body.points).toEqual([0, 1, 2, 3, 4].map((i) => ({ ts: t0 + 10_000 + i * 1000, value: i })))
  })

  it('accepts ISO 8601 times and defaults to the last hour', async () => {
    const iso = await get('/api/series?line=tcm1&equipment=stand2&sensor=vibration_mm_s&from=2025-11-24T10:00:00Z&to=2025-11-24T18:00:05%2B08:00')
    expect(iso.json().points).toHaveLength(5)
    expect((await get('/api/series?line=tcm1&equipment=stand2&sensor=vibration_mm_s')).json().points).toHaveLength(60)
  })

  it('buckets with step: avg, min, max and count per bucket', async () => {
    const r = await get(`/api/series?line=tcm1&equipment=stand2&sensor=vibration_mm_s&from=${t0}&to=${t0 + 60_000}&step=10s`)
    expect(r.json().points).toHaveLength(6)
    expect(r.json().points[0]).toEqual({ ts: t0, avg: 4.5, min: 0, max: 9, count: 10 })
  })

  it('truncates raw points at limit and says so', async () => {
    const body = (await get(`/api/series?line=tcm1&equipment=stand2&sensor=vibration_mm_s&from=${t0}&to=${t0 + 60_000}&limit=7`)).json()
    expect(body.points).toHaveLength(7)
    expect(body.truncated).toBe(true)
  })

  it('answers an unknown series with an empty result', async () => {
    const r = await get(`/api/series?line=tcm1&equipment=stand2&sensor=nope&from=${t0}&to=${t0 + 60_000}`)
    expect(r.statusCode).toBe(200)
    expect(r.json().points).toEqual([])
  })

  it.each([
    ['/api/series?equipment=stand2&sensor=x', /line/],
    ['/api/series?line=tcm1&equipment=stand2&sensor=x&from=yesterday', /from: "yesterday" is not a time/],
    ['/api/series?line=tcm1&equipment=stand2&sensor=x&from=2000&to=1000', /is not a time|from must be before to/],
    [`/api/series?line=tcm1&equipment=stand2&sensor=x&from=${t0 + 1000}&to=${t0}`, /from must be before to/],
    ['/api/series?line=tcm1&equipment=stand2&sensor=x&step=fast', /step: "fast" is not a duration/],
    ['/api/series?line=tcm1&equipment=stand2&sensor=x&step=10ms', /at least 100ms/],
    [`/api/series?line=tcm1&equipment=stand2&sensor=x&from=${t0 - 365 * 86_400_000}&to=${t0}&step=100ms`, /more than 100000 buckets/],
    ['/api/series?line=tcm1&equipment=stand2&sensor=x&limit=-3', /limit: must be an integer/],
    ['/api/latest', /line/],
    ['/api/ingest/dead-letters?limit=abc', /limit/],
  ])('GET %s → 400 with the reason', async (url, message) => {
    const r = await get(url)
    expect(r.statusCode).toBe(400)
    expect(r.json().message).toMatch(message)
  })

  it('gives the newest value of every sensor of a piece of equipment', async () => {
    const body = (await get('/api/latest?line=tcm1&equipment=stand2')).json()
    expect(body.values).toEqual(
      expect.arrayContaining([
        { line: 'tcm1', equipment: 'stand2', sensor: 'vibration_mm_s', ts: t0 + 59_000, value: 9 },
        { line: 'tcm1', equipment: 'stand2', sensor: 'bearing_temp_C', ts: t0 + 59_000, value: 55.9 },
      ]),
    )
  })

  it('describes the plant with units and limits', async () => {
    const plant = (await get('/api/plant')).json()
    const stand = plant.lines[0].equipment.find((e: { id: string }) => e.id === 'stand1')
    expect(stand.sensors.find((s: { id: string }) => s.id === 'vibration_mm_s')).toMatchObject({ unit: 'mm/s', range: [0, 100], limits: { high: 4.5 } })
  })

  it('lists dead letters with their reason', async () => {
    const body = (await get('/api/ingest/dead-letters')).json()
    expect(body.total).toBe(1)
    expect(body.deadLetters[0]).toMatchObject({ topic: 'plant/tcm1/stand2/telemetry', payload: 'not json', rejects: [{ reason: 'malformed_json' }] })
  })

  it('exposes health, Prometheus metrics and an OpenAPI document with every route', async () => {
    expect((await get('/healthz')).json()).toEqual({ status: 'ok', parts: { store: 'duckdb' } })
    const metrics = await get('/metrics')
    expect(metrics.headers['content-type']).toMatch(/text\/plain/)
    expect(metrics.body).toMatch(/mw_ingest_points_total 120/)
    const doc = (await get('/openapi.json')).json()
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/metrics', '/api/plant', '/api/series', '/api/latest', '/api/ingest/dead-letters']))
    expect((await get('/docs/')).statusCode).toBe(200)
  })

  it('answers an unknown route with a JSON 404', async () => {
    const r = await get('/api/nope')
    expect(r.statusCode).toBe(404)
    expect(r.json()).toMatchObject({ error: 'MW_NOT_FOUND' })
  })
})
