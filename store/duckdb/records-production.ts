// What the production KPIs and the shift reports read and keep in the DuckDB file (issue 6):
// the figures of finished coils, taken out of the coil records, and the stored shift reports.
// A coil's process summary is ~10 kB of JSON; only its thickness figures are extracted, so a
// month of ~4 000 coils is one small read instead of 40 MB of documents.
import type { CoilFacts, ProductionRecords, ShiftReportRecords, StoredShiftReport } from '../types.ts'
import type { DuckDbStore } from './index.ts'
import { openCoilRecords } from './records-coils.ts'

const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v))
const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v))

// The finished coils' figures, kept beside the coil records in `coil_facts` and brought up to
// date from the rows the coils part changed since (its `updated_at`) before a read: parsing
// every stored summary per request cost ~0.4 s for a month of coils on a loaded 2-core box.
const FACTS_DDL = `CREATE TABLE IF NOT EXISTS coil_facts (id VARCHAR PRIMARY KEY, line VARCHAR, finished_at BIGINT, grade VARCHAR,
  weight_t DOUBLE, length_m DOUBLE, crew VARCHAR, shift VARCHAR, mean_um DOUBLE, std_dev_um DOUBLE, samples DOUBLE,
  gauged_length_m DOUBLE, target_um DOUBLE, tolerance_um DOUBLE, in_tolerance_share DOUBLE, updated_at BIGINT)`
const FIELDS = ['weight_t', 'length_m', 'crew', 'shift'].map((f) => `'$.${f}'`).join(', ')
const THICKNESS = ['mean_um', 'stdDev_um', 'samples', 'gaugedLength_m', 'target_um', 'tolerance_um', 'inToleranceShare'].map((f) => `'$.thickness.${f}'`).join(', ')
const d = (list: string, i: number) => `TRY_CAST(${list}[${i}] AS DOUBLE)`
const REFRESH = `INSERT OR REPLACE INTO coil_facts
  WITH c AS (SELECT id, line, finished_at, grade, updated_at, json_extract_string(record, [${FIELDS}]) AS r, json_extract_string(summary, [${THICKNESS}]) AS t
             FROM coils WHERE updated_at >= (SELECT coalesce(max(updated_at), 0) FROM coil_facts))
  SELECT id, line, finished_at, grade, ${d('r', 1)}, ${d('r', 2)}, r[3], r[4], ${[1, 2, 3, 4, 5, 6, 7].map((i) => d('t', i)).join(', ')}, updated_at FROM c`
/** A read brings the facts up to date at most this often. */
const REFRESH_MS = 2_000

/** Reads the `coils` table of store/duckdb/records-coils.ts (created here too if this process keeps no coils). */
export async function openProductionRecords(sql: DuckDbStore['sql'], now: () => number = Date.now): Promise<ProductionRecords> {
  await openCoilRecords(sql)
  await sql.run(FACTS_DDL)
  let refreshed = -Infinity
  let refreshing: Promise<void> | undefined
  const refresh = () => (refreshing ??= sql.run(REFRESH).finally(() => ((refreshed = now()), (refreshing = undefined))))
  return {
    async finishedCoils(q) {
      if (now() - refreshed > REFRESH_MS) await refresh()
      const params: Record<string, string | number> = { from: q.from, to: q.to }
      if (q.line !== undefined) params.line = q.line
      const rows = await sql.all(
        `SELECT id, line, finished_at, grade, weight_t, length_m, crew, shift, mean_um, std_dev_um, samples, gauged_length_m, target_um, tolerance_um, in_tolerance_share
         FROM coil_facts WHERE finished_at >= $from AND finished_at < $to ${q.line !== undefined ? 'AND line = $line' : ''}
         ORDER BY finished_at, id`,
        params,
      )
      return rows.map((r): CoilFacts => {
        const [weight, length, crew, shift, mean, sd, samples, gauged, target, tol, share] = r.slice(4)
        const c: CoilFacts = { id: String(r[0]), line: String(r[1]), finishedAt: Number(r[2]) }
        if (r[3] !== null) c.grade = String(r[3])
        if (num(weight) !== undefined) c.weight_t = num(weight)
        if (num(length) !== undefined) c.length_m = num(length)
        if (str(crew) !== undefined) c.crew = str(crew)
        if (str(shift) !== undefined) c.shift = str(shift)
        if (num(mean) !== undefined && num(sd) !== undefined)
          c.thickness = {
            mean_um: num(mean)!, stdDev_um: num(sd)!, samples: num(samples) ?? 0,
            ...(num(gauged) !== undefined && { gaugedLength_m: num(gauged) }),
            ...(num(target) !== undefined && { target_um: num(target) }),
            ...(num(tol) !== undefined && { tolerance_um: num(tol) }),
            ...(num(share) !== undefined && { inToleranceShare: num(share) }),
          }
        return c
      })
    },
  }
}

const REPORTS_DDL = `CREATE TABLE IF NOT EXISTS shift_reports (id VARCHAR PRIMARY KEY, line VARCHAR, shift_id VARCHAR, date VARCHAR,
  crew VARCHAR, start_at BIGINT, end_at BIGINT, created_at BIGINT, report JSON)`

export async function openShiftReportRecords(sql: DuckDbStore['sql']): Promise<ShiftReportRecords> {
  await sql.run(REPORTS_DDL)
  const head = (r: unknown[]): Omit<StoredShiftReport, 'report'> => ({
    id: String(r[0]), line: String(r[1]), shiftId: String(r[2]), date: String(r[3]),
    ...(r[4] !== null && { crew: String(r[4]) }),
    start: Number(r[5]), end: Number(r[6]), createdAt: Number(r[7]),
  })
  const COLS = 'id, line, shift_id, date, crew, start_at, end_at, created_at'
  return {
    async save(r) {
      await sql.run(`INSERT OR REPLACE INTO shift_reports VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
        r.id, r.line, r.shiftId, r.date, r.crew ?? null, r.start, r.end, r.createdAt, JSON.stringify(r.report),
      ])
    },
    async get(id) {
      const rows = await sql.all(`SELECT ${COLS}, report::VARCHAR FROM shift_reports WHERE id = $id`, { id })
      return rows.length ? { ...head(rows[0]), report: JSON.parse(String(rows[0][8])) } : undefined
    },
    async list(q) {
      const limit = Math.max(1, Math.min(1000, Math.floor(q.limit ?? 100)))
      const rows = await sql.all(
        `SELECT ${COLS} FROM shift_reports ${q.line !== undefined ? 'WHERE line = $line' : ''} ORDER BY start_at DESC, id LIMIT ${limit}`,
        q.line !== undefined ? { line: q.line } : {},
      )
      return rows.map(head)
    },
  }
}
