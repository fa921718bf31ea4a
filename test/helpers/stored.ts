// What the fault tests assert at the end: every reading a device got a PUBACK for is in the
// store exactly once, with the value it was sent with — read back the way a user reads it
// (GET /api/series raw points, and bucket counts), plus a look into the DuckDB file itself to
// see how many resent duplicates the reads had to collapse.
import { DuckDBInstance } from '@duckdb/node-api'
import { join } from 'node:path'
import { expect } from 'vitest'
import type { Device } from './device.ts'

export interface SeriesKey {
  line?: string
  equipment: string
  sensor: string
}

const q = (k: SeriesKey) => `line=${k.line ?? 'tcm1'}&equipment=${k.equipment}&sensor=${k.sensor}`

export async function rawPoints(http: string, k: SeriesKey, from: number, to: number): Promise<{ ts: number; value: number }[]> {
  const res = await fetch(`${http}/api/series?${q(k)}&from=${from}&to=${to}&limit=100000`)
  if (!res.ok) throw new Error(`/api/series → ${res.status} ${await res.text()}`)
  const body = await res.json()
  expect(body.truncated).toBe(false)
  return body.points
}

/** Sum of bucket counts over [from, to), buckets of `step` (a whole-minute step reads rollups too). */
export async function bucketCount(http: string, k: SeriesKey, from: number, to: number, step = '1m'): Promise<number> {
  const res = await fetch(`${http}/api/series?${q(k)}&from=${from}&to=${to}&step=${step}`)
  if (!res.ok) throw new Error(`/api/series?step → ${res.status} ${await res.text()}`)
  return (await res.json()).points.reduce((n: number, b: { count: number }) => n + b.count, 0)
}

/**
 * Asserts: each acknowledged reading is stored once with its value; nothing is stored that
 * was never sent; the raw count and the bucket count agree. `only` limits the check to the
 * readings a test expects stored (e.g. not those it sent with a bad timestamp).
 */
export async function expectStoredOnce(http: string, k: SeriesKey, device: Device, only: (i: number) => boolean = () => true) {
  const from = device.tsOf(0)
  const to = device.tsOf(device.sent) // exclusive; readings are numbered 0 … sent-1
  const points = await rawPoints(http, k, from, to)
  const byTs = new Map<number, number>()
  for (const p of points) {
    expect(byTs.has(p.ts), `ts ${p.ts} returned twice`).toBe(false)
    byTs.set(p.ts, p.value)
  }
  const acked = [...device.acked].filter(only).sort((a, b) => a - b)
  const missing = acked.filter((i) => !byTs.has(device.tsOf(i)))
  expect(missing.length, `acknowledged but not stored: ${missing.slice(0, 10).join(', ')}…`).toBe(0)
  const wrong = acked.filter((i) => byTs.get(device.tsOf(i)) !== device.valueOf(i))
  expect(wrong.length, `stored with another value: ${wrong.slice(0, 10).join(', ')}`).toBe(0)
  const sentTs = new Set(Array.from({ length: device.sent }, (_, i) => device.tsOf(i)))
  expect(points.filter((p) => !sentTs.has(p.ts))).toEqual([])
  expect(await bucketCount(http, k, from, to)).toBe(points.length)
  expect(await bucketCount(http, k, from, to, '1s')).toBe(points.length)
  return { acked: acked.length, stored: points.length }
}

/**
 * Rows physically in the DuckDB file for one series (millwatch must be stopped): `rows` −
 * `distinct` is the number of resent duplicates that every read collapses.
 */
export async function physicalRows(dataDir: string, k: SeriesKey): Promise<{ rows: number; distinct: number }> {
  const db = await DuckDBInstance.create(join(dataDir, 'millwatch.duckdb'), { access_mode: 'READ_ONLY' })
  try {
    const c = await db.connect()
    const r = await c.runAndReadAll(
      `SELECT count(*)::INTEGER, count(DISTINCT ts)::INTEGER FROM points WHERE series_id = (SELECT id FROM series WHERE line = $1 AND equipment = $2 AND sensor = $3)`,
      [k.line ?? 'tcm1', k.equipment, k.sensor],
    )
    const [rows, distinct] = r.getRows()[0] as [number, number]
    c.closeSync()
    return { rows, distinct }
  } finally {
    db.closeSync()
  }
}
