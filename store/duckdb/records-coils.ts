// Coil records in the DuckDB file (issue 5): each coil's latest record with its process
// summary, QA inspections, and the history of its status changes. Records are kept whole as
// JSON beside the columns the queries filter on (status, times, the split parent), so the
// record's shape (coils/model.ts) can grow without a migration.
import type { CoilInspection, CoilRecords, CoilStatusEntry, StoredCoil } from '../types.ts'
import type { DuckDbStore } from './index.ts'

const DDL = [
  `CREATE TABLE IF NOT EXISTS coils (id VARCHAR PRIMARY KEY, line VARCHAR, status VARCHAR, grade VARCHAR, heat VARCHAR,
     started_at BIGINT, finished_at BIGINT, split_from VARCHAR, updated_at BIGINT, record JSON, summary JSON)`,
  'CREATE INDEX IF NOT EXISTS coils_split_from ON coils (split_from)',
  'CREATE INDEX IF NOT EXISTS coils_started_at ON coils (started_at)',
  `CREATE TABLE IF NOT EXISTS coil_inspections (id VARCHAR, coil_id VARCHAR, "at" BIGINT, doc JSON)`,
  `CREATE TABLE IF NOT EXISTS coil_status_history (coil_id VARCHAR, "at" BIGINT, status VARCHAR, doc JSON)`,
  'CREATE INDEX IF NOT EXISTS coil_inspections_coil ON coil_inspections (coil_id)',
  'CREATE INDEX IF NOT EXISTS coil_status_history_coil ON coil_status_history (coil_id)',
]

/**
 * A coil ID as an SQL literal. DuckDB plans an index lookup for `id = 'literal'` but scans the
 * table for `id = $1` (measured: 1.6 ms against 5 ms over 100k coils), and a scan is what
 * every QR scan would pay. Only IDs of the coil-ID alphabet (coils/coil-id.ts: letters,
 * digits, "_", "-", ".") are inlined, so no quote can reach the SQL; anything else matches no coil.
 */
const lit = (id: string): string | undefined => (/^[A-Za-z0-9_.-]{1,64}$/.test(id) ? `'${id}'` : undefined)

/** Rows per INSERT statement: one statement is one commit (a split's parent and children together). */
const ROWS_PER_STATEMENT = 500

const clampLimit = (n: number | undefined, dflt: number, max: number) => Math.max(1, Math.min(max, Math.floor(n ?? dflt)))

export async function openCoilRecords(sql: DuckDbStore['sql'], now: () => number = Date.now): Promise<CoilRecords> {
  for (const s of DDL) await sql.run(s)
  const COLS = 'record::VARCHAR, summary::VARCHAR'
  const toCoil = (r: unknown[]): StoredCoil => ({
    record: JSON.parse(String(r[0])),
    ...(r[1] !== null && r[1] !== undefined && { summary: JSON.parse(String(r[1])) }),
  })

  async function upsert(coils: readonly StoredCoil[]) {
    for (let i = 0; i < coils.length; i += ROWS_PER_STATEMENT) {
      const chunk = coils.slice(i, i + ROWS_PER_STATEMENT)
      const params: Array<string | number | null> = []
      const rows = chunk.map(({ record: r, summary }) => {
        const at = params.length
        params.push(r.id, r.line, r.status, r.grade ?? null, r.heat ?? null, r.startedAt ?? null, r.finishedAt ?? null, r.splitFrom ?? null, now(),
          JSON.stringify(r), summary === undefined ? null : JSON.stringify(summary))
        return `(${Array.from({ length: 11 }, (_, k) => `$${at + k + 1}`).join(', ')})`
      })
      await sql.run(`INSERT OR REPLACE INTO coils VALUES ${rows.join(', ')}`, params)
    }
  }

  async function get(id: string, opts: { summary?: boolean } = {}) {
    const key = lit(id)
    if (!key) return undefined
    const rows = await sql.all(`SELECT ${opts.summary === false ? 'record::VARCHAR, NULL' : COLS} FROM coils WHERE id = ${key}`)
    return rows.length ? toCoil(rows[0]) : undefined
  }

  return {
    upsert,
    get,
    async detail(id) {
      // One round trip for the coil page: the record and summary, then its inspections and
      // history, as one UNION ALL of three index lookups. Correlated subqueries aggregating
      // them with to_json(list(…)) cost 2–3× as much per scan (bench/coils.ts, docs/benchmarks.md).
      const key = lit(id)
      if (!key) return undefined
      const rows = await sql.all(`SELECT 0, record::VARCHAR, summary::VARCHAR, NULL, NULL FROM coils WHERE id = ${key}
        UNION ALL SELECT 1, doc::VARCHAR, NULL, "at", rowid FROM coil_inspections WHERE coil_id = ${key}
        UNION ALL SELECT 2, doc::VARCHAR, NULL, "at", rowid FROM coil_status_history WHERE coil_id = ${key}`)
      const head = rows.find((r) => r[0] === 0)
      if (!head) return undefined
      const newestFirst = (kind: number) =>
        rows.filter((r) => r[0] === kind).sort((a, b) => Number(b[3]) - Number(a[3]) || Number(b[4]) - Number(a[4])).map((r) => JSON.parse(String(r[1])))
      return { ...toCoil(head.slice(1)), inspections: newestFirst(1) as CoilInspection[], history: newestFirst(2) as CoilStatusEntry[] }
    },
    async list(q) {
      const where: string[] = []
      const params: Record<string, string | number> = {}
      if (q.status !== undefined) (where.push('status = $status'), (params.status = q.status))
      if (q.line !== undefined) (where.push('line = $line'), (params.line = q.line))
      if (q.from !== undefined) (where.push('started_at >= $from'), (params.from = q.from))
      if (q.to !== undefined) (where.push('started_at < $to'), (params.to = q.to))
      if (q.suspect !== undefined) where.push(`coalesce(json_array_length(record, '$.suspectAlarms'), 0) ${q.suspect ? '>' : '='} 0`)
      const rows = await sql.all(
        `SELECT record::VARCHAR, NULL FROM coils ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY started_at DESC NULLS LAST, id DESC LIMIT ${clampLimit(q.limit, 100, 10_000)}`,
        params,
      )
      return rows.map((r) => toCoil(r).record)
    },
    async onMill(q) {
      const rows = await sql.all(
        `SELECT record::VARCHAR, NULL FROM coils WHERE line = $line AND started_at < $to AND coalesce(finished_at, started_at + $open) > $from
         ORDER BY started_at, id LIMIT ${clampLimit(q.limit, 1000, 10_000)}`,
        { line: q.line, from: q.from, to: q.to, open: q.openMs },
      )
      return rows.map((r) => toCoil(r).record)
    },
    async children(id) {
      const key = lit(id)
      if (!key) return []
      const rows = await sql.all(`SELECT record::VARCHAR, NULL FROM coils WHERE split_from = ${key} ORDER BY id`)
      return rows.map((r) => toCoil(r).record)
    },
    async ancestors(id) {
      // A split chain is short (hot band → coil → slit → cut); the bound guards against a cycle
      // a bad correction over the API could make.
      const out: StoredCoil['record'][] = []
      const seen = new Set([id])
      let current = (await get(id))?.record
      while (current?.splitFrom !== undefined && !seen.has(current.splitFrom) && out.length < 32) {
        seen.add(current.splitFrom)
        const parent = (await get(current.splitFrom))?.record
        if (!parent) break
        out.push(parent)
        current = parent
      }
      return out
    },
    async addInspection(i) {
      await sql.run('INSERT INTO coil_inspections VALUES ($1, $2, $3, $4)', [i.id, i.coilId, i.at, JSON.stringify(i)])
    },
    async inspections(coilId) {
      const key = lit(coilId)
      if (!key) return []
      const rows = await sql.all(`SELECT doc::VARCHAR FROM coil_inspections WHERE coil_id = ${key} ORDER BY "at" DESC, rowid DESC`)
      return rows.map((r) => JSON.parse(String(r[0])) as CoilInspection)
    },
    async addHistory(e) {
      await sql.run('INSERT INTO coil_status_history VALUES ($1, $2, $3, $4)', [e.coilId, e.at, e.status, JSON.stringify(e)])
    },
    async history(coilId) {
      const key = lit(coilId)
      if (!key) return []
      const rows = await sql.all(`SELECT doc::VARCHAR FROM coil_status_history WHERE coil_id = ${key} ORDER BY "at" DESC, rowid DESC`)
      return rows.map((r) => JSON.parse(String(r[0])) as CoilStatusEntry)
    },
    async count() {
      const rows = await sql.all('SELECT count(*) FROM coils')
      return Number(rows[0][0])
    },
  }
}
