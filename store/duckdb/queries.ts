// The read queries, run on the worker's reader connections. Numbers are inlined as integer
// literals (checked here) so DuckDB sees BIGINT comparisons it can prune row groups with
// (zonemaps); strings always go in as parameters. Every read collapses duplicate
// (series_id, ts) rows — QoS 1 resends — to one (schema.ts says why they can exist).
import type { DuckDBConnection } from '@duckdb/node-api'
import type { CoilEvent, CoilEventKind } from '../../core/payloads.ts'
import type { AuditEntry } from '../types.ts'
import type { AuditQuery, BucketColumns, Calls, CoilQuery, RangeColumns } from './protocol.ts'
import { ceilTo, floorTo, MINUTE } from './schema.ts'

function int(v: number): string {
  if (!Number.isSafeInteger(v)) throw new Error(`expected an integer, got ${v}`)
  return String(v)
}

const f64 = (col: unknown[]) => Float64Array.from(col as number[])

export async function range(c: DuckDBConnection, a: Calls['range']['args']): Promise<RangeColumns> {
  const r = await c.runAndReadAll(`
    SELECT ts::DOUBLE, any_value(value) FROM points
    WHERE series_id = ${int(a.sid)} AND ts >= ${int(a.from)} AND ts < ${int(a.to)}
    GROUP BY ts ORDER BY ts LIMIT ${int(a.limit)}`)
  const [ts, value] = r.getColumns()
  return { ts: f64(ts ?? []), value: f64(value ?? []) }
}

/**
 * Buckets of `stepMs` aligned at multiples of it since the epoch. When the step is whole
 * minutes, the whole minutes of [from, to) below the rollup watermark come from rollup_1m
 * and only the edges from raw points, so a 30-day trend reads ~43k rollup rows, not 2.6M
 * points. Partial sums combine exactly: avg = Σsum / Σcount, min of mins, max of maxes.
 */
export async function buckets(
  c: DuckDBConnection,
  a: Calls['buckets']['args'],
  watermark: number,
  dirtyMinutes: (from: number, to: number) => number[],
): Promise<BucketColumns> {
  const { sid, from, to, stepMs } = a
  // [rs, re): the rolled-up middle; empty (at `to`) when the step is not whole minutes.
  let rs = to
  let re = to
  if (stepMs % MINUTE === 0) {
    const s = ceilTo(from, MINUTE)
    const e = Math.min(floorTo(to, MINUTE), watermark)
    if (s < e) ((rs = s), (re = e))
  }
  // Minutes with late points not yet recomputed come from raw points, not from rollup_1m.
  const dirty = dirtyMinutes(rs, re)
  const minuteOf = `(ts - ((ts % ${MINUTE}) + ${MINUTE}) % ${MINUTE})`
  const step = int(stepMs)
  const bucket = `(ts - ((ts % ${step}) + ${step}) % ${step})`
  const raw = (lo: number, hi: number, extra = '') =>
    `SELECT ts, any_value(value) AS v FROM points
     WHERE series_id = ${int(sid)} AND ts >= ${int(lo)} AND ts < ${int(hi)} ${extra} GROUP BY ts`
  const list = dirty.map(int).join(', ')
  const r = await c.runAndReadAll(`
    WITH raw AS (
      ${raw(from, rs)} UNION ALL ${raw(re, to)}
      ${dirty.length ? `UNION ALL ${raw(dirty[0], dirty[dirty.length - 1] + MINUTE, `AND ${minuteOf} IN (${list})`)}` : ''}
    ),
    parts AS (
      SELECT ${bucket} AS b, sum(v) AS s, min(v) AS lo, max(v) AS hi, count(*) AS n FROM raw GROUP BY b
      UNION ALL
      SELECT ${bucket} AS b, sum(sum), min(min), max(max), sum(count) FROM rollup_1m
      WHERE series_id = ${int(sid)} AND ts >= ${int(rs)} AND ts < ${int(re)} ${dirty.length ? `AND ts NOT IN (${list})` : ''}
      GROUP BY b
    )
    SELECT b::DOUBLE, (sum(s) / sum(n))::DOUBLE, min(lo), max(hi), sum(n)::DOUBLE
    FROM parts GROUP BY b ORDER BY b LIMIT ${int(a.limit)}`)
  const [ts, avg, min, max, count] = r.getColumns()
  return { ts: f64(ts ?? []), avg: f64(avg ?? []), min: f64(min ?? []), max: f64(max ?? []), count: f64(count ?? []) }
}

/** Newest first; a resent event (same line, coil, kind and ts) is returned once. */
export async function coilEvents(c: DuckDBConnection, q: CoilQuery): Promise<CoilEvent[]> {
  const where: string[] = []
  const params: Record<string, string> = {}
  if (q.line !== undefined) (where.push('line = $line'), (params.line = q.line))
  if (q.coilId !== undefined) (where.push('coil_id = $coil'), (params.coil = q.coilId))
  if (q.from !== undefined) where.push(`ts >= ${int(q.from)}`)
  if (q.to !== undefined) where.push(`ts < ${int(q.to)}`)
  const r = await c.runAndReadAll(
    `SELECT line, coil_id, event, ts::DOUBLE, any_value(attributes)::VARCHAR, max(rowid) AS seq FROM coil_events
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     GROUP BY line, coil_id, event, ts ORDER BY ts DESC, seq DESC LIMIT ${int(q.limit)}`,
    params,
  )
  return r.getRowsJS().map(([line, coilId, event, ts, attributes]) => ({
    line: String(line),
    coilId: String(coilId),
    event: String(event) as CoilEventKind,
    ts: Number(ts),
    attributes: attributes == null ? {} : (JSON.parse(String(attributes)) as Record<string, unknown>),
  }))
}

export async function appendAudit(w: DuckDBConnection, e: AuditEntry): Promise<void> {
  await w.run('INSERT INTO audit_log VALUES ($1, $2, $3, $4, $5, $6)', [
    e.ts, e.actor, e.action, e.target ?? null, e.from ?? null, e.details === undefined ? null : JSON.stringify(e.details),
  ])
}

/** Newest first. */
export async function audit(c: DuckDBConnection, q: AuditQuery): Promise<AuditEntry[]> {
  const where: string[] = []
  const params: Record<string, string | number> = {}
  if (q.actor !== undefined) (where.push('actor = $actor'), (params.actor = q.actor))
  if (q.action !== undefined) (where.push('action = $action'), (params.action = q.action))
  if (q.from !== undefined) (where.push('ts >= $from'), (params.from = q.from))
  if (q.to !== undefined) (where.push('ts < $to'), (params.to = q.to))
  const r = await c.runAndReadAll(
    `SELECT ts::DOUBLE, actor, action, target, from_addr, details::VARCHAR FROM audit_log
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts DESC, rowid DESC LIMIT ${int(q.limit)}`,
    params,
  )
  return r.getRowsJS().map(([ts, actor, action, target, from, details]) => ({
    ts: Number(ts),
    actor: String(actor),
    action: String(action),
    ...(target === null ? {} : { target: String(target) }),
    ...(from === null ? {} : { from: String(from) }),
    ...(details === null ? {} : { details: JSON.parse(String(details)) }),
  }))
}
