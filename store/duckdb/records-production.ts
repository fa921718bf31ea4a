// What the production KPIs and the shift reports read and keep in the DuckDB file (issue 6):
// the figures of finished coils, taken out of the coil records in one query, and the stored
// shift reports. A coil's process summary is ~10 kB of JSON; only its thickness figures are
// extracted here, so a month of ~4 000 coils is one small read instead of 40 MB of documents.
import type { CoilFacts, ProductionRecords, ShiftReportRecords, StoredShiftReport } from '../types.ts'
import type { DuckDbStore } from './index.ts'
import { openCoilRecords } from './records-coils.ts'

const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v))
const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v))

/** Reads the `coils` table of store/duckdb/records-coils.ts (created here too if this process keeps no coils). */
export async function openProductionRecords(sql: DuckDbStore['sql']): Promise<ProductionRecords> {
  await openCoilRecords(sql)
  return {
    async finishedCoils(q) {
      const params: Record<string, string | number> = { from: q.from, to: q.to }
      if (q.line !== undefined) params.line = q.line
      const rows = await sql.all(
        `SELECT id, line, finished_at, grade,
            json_extract_string(record, ['$.weight_t', '$.length_m', '$.crew', '$.shift']),
            json_extract_string(summary, ['$.thickness.mean_um', '$.thickness.stdDev_um', '$.thickness.samples', '$.thickness.gaugedLength_m',
              '$.thickness.target_um', '$.thickness.tolerance_um', '$.thickness.inToleranceShare'])
         FROM coils WHERE finished_at >= $from AND finished_at < $to ${q.line !== undefined ? 'AND line = $line' : ''}
         ORDER BY finished_at, id`,
        params,
      )
      return rows.map((r): CoilFacts => {
        const [weight, length, crew, shift] = (r[4] as unknown[] | null) ?? []
        const [mean, sd, samples, gauged, target, tol, share] = ((r[5] as unknown[] | null) ?? []).map(num)
        const c: CoilFacts = { id: String(r[0]), line: String(r[1]), finishedAt: Number(r[2]) }
        if (r[3] !== null) c.grade = String(r[3])
        if (num(weight) !== undefined) c.weight_t = num(weight)
        if (num(length) !== undefined) c.length_m = num(length)
        if (str(crew) !== undefined) c.crew = str(crew)
        if (str(shift) !== undefined) c.shift = str(shift)
        if (mean !== undefined && sd !== undefined)
          c.thickness = { mean_um: mean, stdDev_um: sd, samples: samples ?? 0, gaugedLength_m: gauged, target_um: target, tolerance_um: tol, inToleranceShare: share }
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
