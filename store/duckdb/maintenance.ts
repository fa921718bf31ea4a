// Rollups and retention, in one writer transaction:
// 1. roll up every minute between the old watermark and now − rollupLag into rollup_1m, with
//    a plain aggregate — except the minutes marked dirty (dirty-minutes.ts), the only ones
//    that can hold duplicate rows, which are aggregated with duplicates collapsed; marked
//    minutes that were already rolled up (late points) are recomputed the same way;
// 2. delete raw points older than retention.rawMs — never above the watermark, so every
//    deleted minute lives on in rollup_1m — and rollups older than retention.rollupMs, but
//    only where the raw points are gone too (buckets read rolled-up minutes from rollup_1m
//    alone). No minute below the raw cutoff is marked dirty or recomputed: its raw points are
//    incomplete, and recomputing would replace a whole minute by its late points;
// 3. rewrite completed days of rollup_1m sorted by series (rollup-order.ts);
// 4. compact latest_log to one row per series.
import type { DuckDBConnection } from '@duckdb/node-api'
import type { MaintainReport, WorkerOptions } from './protocol.ts'
import { sortRollupDays } from './rollup-order.ts'
import { floorTo, MINUTE } from './schema.ts'

const minuteOf = (ts: string) => `(${ts} - ((${ts} % ${MINUTE}) + ${MINUTE}) % ${MINUTE})`
// Joins against this distinct list, not correlated EXISTS subqueries: measured ~8× faster.
const dirtyBefore = (target: number) => `(SELECT DISTINCT series_id, ts FROM rollup_dirty WHERE ts < ${target})`

export interface Marks {
  watermark: number
  rawCutoff: number
}

export async function maintain(w: DuckDBConnection, prev: Marks, opts: WorkerOptions, now: number): Promise<MaintainReport> {
  const { watermark } = prev
  const target = Math.max(watermark, floorTo(now - opts.rollupLagMs, MINUTE))
  const { rawMs, rollupMs } = opts.retention
  const rawCutoff = rawMs > 0 ? Math.max(prev.rawCutoff, Math.min(floorTo(now - rawMs, MINUTE), target)) : prev.rawCutoff
  const report: MaintainReport = { watermark: target, rawCutoff, rolledUpMinutes: 0, dirtyMinutes: 0, deletedPoints: 0, deletedRollups: 0, sortedDays: 0 }
  await w.run('BEGIN TRANSACTION')
  try {
    if (target > watermark) {
      const r = await w.run(`
        INSERT INTO rollup_1m
        SELECT a.* FROM (
          SELECT series_id, ${minuteOf('ts')} AS m, sum(value), min(value), max(value), count(*) AS n
          FROM points WHERE ts >= ${watermark} AND ts < ${target} GROUP BY series_id, m
        ) a ANTI JOIN ${dirtyBefore(target)} d ON a.series_id = d.series_id AND a.m = d.ts`)
      report.rolledUpMinutes = r.rowsChanged
      await w.run(`UPDATE meta SET value = ${target} WHERE key = 'rollup_watermark'`)
    }
    report.dirtyMinutes = await rollUpDirty(w, target, prev.rawCutoff)
    if (rawMs > 0) {
      // Every pass, also when the cutoff has not moved: late points may have arrived below it.
      report.deletedPoints = (await w.run(`DELETE FROM points WHERE ts < ${rawCutoff}`)).rowsChanged
      if (rawCutoff > prev.rawCutoff) await w.run(`UPDATE meta SET value = ${rawCutoff} WHERE key = 'raw_cutoff'`)
    }
    if (rollupMs > 0) {
      const cutoff = Math.min(floorTo(now - rollupMs, MINUTE), rawCutoff)
      report.deletedRollups = (await w.run(`DELETE FROM rollup_1m WHERE ts < ${cutoff}`)).rowsChanged
    }
    report.sortedDays = await sortRollupDays(w, target)
    await w.run(`DELETE FROM latest_log WHERE rowid NOT IN (SELECT arg_max(rowid, ts) FROM latest_log GROUP BY series_id)`)
    await w.run('COMMIT')
  } catch (err) {
    await w.run('ROLLBACK').catch(() => undefined)
    throw err
  }
  return report
}

/** (Re)computes the dirty minutes in [rawCutoff, target) with duplicates collapsed; returns how many. */
async function rollUpDirty(w: DuckDBConnection, target: number, rawCutoff: number): Promise<number> {
  await w.run(`DELETE FROM rollup_dirty WHERE ts < ${rawCutoff}`)
  const dirty = dirtyBefore(target)
  const r = await w.runAndReadAll(`SELECT count(*)::DOUBLE, min(ts)::DOUBLE, max(ts)::DOUBLE FROM ${dirty}`)
  const [count, lo, hi] = r.getRowsJS()[0] as [number, number | null, number | null]
  if (count === 0 || lo === null || hi === null) return 0
  await w.run(`DELETE FROM rollup_1m r USING ${dirty} d WHERE r.series_id = d.series_id AND r.ts = d.ts`)
  // The explicit ts bounds let DuckDB skip row groups of points outside the dirty span.
  await w.run(`
    INSERT INTO rollup_1m
    SELECT series_id, m, sum(v), min(v), max(v), count(*) FROM (
      SELECT p.series_id, p.ts, any_value(d.ts) AS m, any_value(p.value) AS v
      FROM points p JOIN ${dirty} d ON p.series_id = d.series_id AND ${minuteOf('p.ts')} = d.ts
      WHERE p.ts >= ${lo} AND p.ts < ${hi + MINUTE}
      GROUP BY p.series_id, p.ts
    ) GROUP BY series_id, m`)
  await w.run(`DELETE FROM rollup_dirty WHERE ts < ${target}`)
  return count
}
