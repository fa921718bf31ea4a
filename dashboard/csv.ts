// CSV export of any table the API serves (issue 6: "export of any table or trend as CSV").
// RFC 4180: CRLF line ends, a header row, fields with a comma, quote or line break quoted and
// inner quotes doubled. A text cell that a spreadsheet would run as a formula (=, +, -, @,
// tab, CR first; OWASP "CSV injection") gets a leading apostrophe; numbers stay numbers.
import type { FastifyReply, FastifyRequest } from 'fastify'

export interface Table {
  columns: readonly string[]
  rows: readonly (readonly unknown[])[]
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : ''
  let s = typeof v === 'object' ? JSON.stringify(v) : String(v)
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function toCsv(t: Table): string {
  return [t.columns, ...t.rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n'
}

/** Rows of objects → a table with the given columns (dotted paths reach into nested objects). */
export function tableOf(rows: readonly object[], columns: readonly string[]): Table {
  const at = (o: unknown, path: string) => path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o)
  return { columns, rows: rows.map((r) => columns.map((c) => at(r, c))) }
}

/** Any JSON value → `figure,value` rows with dotted paths (an overview has no single table). */
export function flatTable(value: unknown): Table {
  const rows: [string, unknown][] = []
  const walk = (v: unknown, path: string) => {
    if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k)
    else rows.push([path, v])
  }
  walk(value, '')
  return { columns: ['figure', 'value'], rows }
}

/** `?format=csv`, or an Accept header that asks for text/csv before JSON. */
export function wantsCsv(req: FastifyRequest): boolean {
  const format = (req.query as Record<string, unknown> | undefined)?.format
  if (format === 'csv') return true
  if (format === 'json') return false
  const accept = String(req.headers.accept ?? '')
  const csv = accept.indexOf('text/csv')
  if (csv < 0) return false
  const json = accept.indexOf('application/json')
  return json < 0 || csv < json
}

/** Sends `body` as JSON, or `table(body)` as a CSV download named `<name>.csv`. */
export function sendTable<T>(req: FastifyRequest, reply: FastifyReply, body: T, name: string, table: (body: T) => Table) {
  if (!wantsCsv(req)) return body
  const file = name.replace(/[^A-Za-z0-9._-]/g, '_')
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file}.csv"`)
    .send(toCsv(table(body)))
}
