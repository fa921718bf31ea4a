// The peer figures of bench:dashboard, measured on the history before millwatch opens it
// (a DuckDB file has one owner): the 30-day trend through the store in-process (no HTTP),
// the same buckets straight from DuckDB's rollup table (the ceiling: what the query costs
// with nothing around it), and from raw points (what every trend would cost without rollups).
import { DuckDBInstance } from '@duckdb/node-api'
import { join } from 'node:path'
import { pino } from 'pino'
import { openDuckDbStore } from '../../store/duckdb/index.ts'
import { MINUTE } from '../../store/duckdb/schema.ts'
import { percentile } from '../lib/stats.ts'

export interface Trend {
  line: string
  equipment: string
  sensor: string
  from: number
  to: number
  stepMs: number
}

export interface Figures {
  n: number
  p50: number
  p95: number
  p99: number
  max: number
}

export function figures(samples: readonly number[]): Figures {
  const s = Float64Array.from(samples).sort()
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : NaN }
}

export async function time(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await fn()
    out.push(performance.now() - t0)
  }
  return out
}

export async function peerFigures(dir: string, trend: Trend, samples: number): Promise<{ store: Figures; rollupSql: Figures; rawSql: Figures; buckets: number }> {
  const store = await openDuckDbStore({ dir, log: pino({ level: 'silent' }), maintenanceIntervalMs: 0 })
  let buckets = 0
  let storeMs: number[]
  try {
    buckets = (await store.timeseries.buckets(trend)).length // warm-up, and the answer's size
    storeMs = await time(samples, () => store.timeseries.buckets(trend))
  } finally {
    await store.close()
  }
  const instance = await DuckDBInstance.create(join(dir, 'millwatch.duckdb'), { access_mode: 'READ_ONLY' })
  const c = await instance.connect()
  try {
    const sid = Number((await c.runAndReadAll(`SELECT id FROM series WHERE line = $1 AND equipment = $2 AND sensor = $3`, [trend.line, trend.equipment, trend.sensor])).getRowsJS()[0][0])
    const from = Math.ceil(trend.from / MINUTE) * MINUTE
    const bucket = `ts - ts % ${trend.stepMs}`
    const rollup = `SELECT ${bucket} AS b, sum(sum) / sum(count), min(min), max(max), sum(count) FROM rollup_1m
      WHERE series_id = ${sid} AND ts >= ${from} AND ts < ${trend.to} GROUP BY b ORDER BY b`
    const raw = `SELECT ${bucket} AS b, avg(value), min(value), max(value), count(*) FROM points
      WHERE series_id = ${sid} AND ts >= ${from} AND ts < ${trend.to} GROUP BY b ORDER BY b`
    await c.runAndReadAll(rollup)
    const rollupMs = await time(samples, () => c.runAndReadAll(rollup))
    const rawMs = await time(Math.min(samples, 5), () => c.runAndReadAll(raw))
    return { store: figures(storeMs), rollupSql: figures(rollupMs), rawSql: figures(rawMs), buckets }
  } finally {
    c.closeSync()
    instance.closeSync()
  }
}
