// The store's reads as InfluxQL. Time bounds are epoch ms literals (`time >= 1764000000000ms`),
// results come back in ms (`epoch=ms`). GROUP BY time() buckets start at multiples of the
// step since the epoch (InfluxQL's default offset 0), like the DuckDB store's; fill(none)
// omits empty buckets; a bucket cut by `from` keeps its aligned start and counts only the
// points in range (InfluxQL's documented behaviour).
import { errors } from '../../core/errors.ts'
import type { Bucket, BucketQuery, LatestValue, RangeQuery, RawPoint } from '../types.ts'
import { MAX_TS, MEASUREMENT, MIN_TS } from './line-protocol.ts'
import { ident, influxQL, str, type InfluxTarget, type ServerInfo } from './server.ts'

const DEFAULT_LIMIT = 100_000

/** Epoch ms as an integer bound inside InfluxDB's time range: [from, to) ≡ [ceil(from), ceil(to)). */
function bound(v: number, name: string): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw errors.badRequest(`${name} must be epoch milliseconds`)
  return Math.min(MAX_TS + 1, Math.max(MIN_TS, Math.ceil(v)))
}

function limitOf(v: number | undefined): number {
  if (v === undefined) return DEFAULT_LIMIT
  if (!Number.isInteger(v) || v < 0) throw errors.badRequest('limit must be a non-negative integer')
  return v
}

const seriesWhere = (q: RangeQuery, from: number, to: number) =>
  `${ident('line')} = ${str(q.line)} AND ${ident('equipment')} = ${str(q.equipment)} AND ${ident('sensor')} = ${str(q.sensor)} AND time >= ${from}ms AND time < ${to}ms`

type Server = { target: InfluxTarget; info: () => Promise<ServerInfo> }

export async function range(s: Server, q: RangeQuery): Promise<RawPoint[]> {
  const from = bound(q.from, 'from')
  const to = bound(q.to, 'to')
  const limit = limitOf(q.limit)
  if (from >= to || limit === 0) return []
  const series = await influxQL(s.target, await s.info(), `SELECT ${ident('value')} FROM ${ident(MEASUREMENT)} WHERE ${seriesWhere(q, from, to)} ORDER BY time ASC LIMIT ${limit}`)
  const rows = series[0]?.values ?? []
  return rows.map((r) => ({ ts: r[0] as number, value: r[1] as number }))
}

export async function buckets(s: Server, q: BucketQuery): Promise<Bucket[]> {
  if (!Number.isInteger(q.stepMs) || q.stepMs <= 0) throw errors.badRequest('stepMs must be a positive integer')
  const from = bound(q.from, 'from')
  const to = bound(q.to, 'to')
  const limit = limitOf(q.limit)
  if (from >= to || limit === 0) return []
  const v = ident('value')
  const series = await influxQL(
    s.target,
    await s.info(),
    `SELECT mean(${v}), min(${v}), max(${v}), count(${v}) FROM ${ident(MEASUREMENT)} WHERE ${seriesWhere(q, from, to)} GROUP BY time(${q.stepMs}ms) fill(none) LIMIT ${limit}`,
  )
  const rows = series[0]?.values ?? []
  return rows.map((r) => ({ ts: r[0] as number, avg: r[1] as number, min: r[2] as number, max: r[3] as number, count: r[4] as number }))
}

/** last() without a time bound returns the newest point's own time, per GROUP BY series. */
export async function latest(s: Server, q: { line: string; equipment?: string }): Promise<LatestValue[]> {
  const where = `${ident('line')} = ${str(q.line)}${q.equipment === undefined ? '' : ` AND ${ident('equipment')} = ${str(q.equipment)}`}`
  const series = await influxQL(s.target, await s.info(), `SELECT last(${ident('value')}) FROM ${ident(MEASUREMENT)} WHERE ${where} GROUP BY ${ident('equipment')}, ${ident('sensor')}`)
  const out: LatestValue[] = []
  for (const x of series) {
    const row = x.values[0]
    if (row && x.tags) out.push({ line: q.line, equipment: x.tags.equipment, sensor: x.tags.sensor, ts: row[0] as number, value: row[1] as number })
  }
  return out
}
