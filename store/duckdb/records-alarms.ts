// Alarm records in the DuckDB file: each alarm point's latest state (to restore the engine
// after a restart), every ISA-18.2 transition, and every notification attempt. Documents are
// kept whole as JSON beside the columns the queries filter on.
import type { AlarmRecords, AlarmSnapshot, AlarmTransitionRecord, DeliveryRecord } from '../types.ts'
import type { DuckDbStore } from './index.ts'

const DDL = [
  `CREATE TABLE IF NOT EXISTS alarm_points (key VARCHAR PRIMARY KEY, id VARCHAR, line VARCHAR, equipment VARCHAR,
     state VARCHAR, active BOOLEAN, updated_at BIGINT, doc JSON)`,
  `CREATE TABLE IF NOT EXISTS alarm_transitions (alarm_id VARCHAR, key VARCHAR, "at" BIGINT, action VARCHAR, doc JSON)`,
  `CREATE TABLE IF NOT EXISTS alarm_deliveries (alarm_id VARCHAR, person_id VARCHAR, channel VARCHAR, "at" BIGINT, ok BOOLEAN, doc JSON)`,
]

export async function openAlarmRecords(sql: DuckDbStore['sql']): Promise<AlarmRecords> {
  for (const s of DDL) await sql.run(s)
  const docs = <T>(rows: unknown[][]) => rows.map((r) => JSON.parse(String(r[0])) as T)
  return {
    async save(changes) {
      for (const { alarm: a, transition: t } of changes) {
        await sql.run('INSERT OR REPLACE INTO alarm_points VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
          a.key, a.id, a.line, a.equipment, a.state, a.active, a.updatedAt, JSON.stringify(a),
        ])
        await sql.run('INSERT INTO alarm_transitions VALUES ($1, $2, $3, $4, $5)', [t.alarmId, t.key, t.at, t.action, JSON.stringify(t)])
      }
    },
    current: async () => docs<AlarmSnapshot>(await sql.all('SELECT doc::VARCHAR FROM alarm_points ORDER BY key')),
    async transitions(q) {
      const where: string[] = []
      const params: Record<string, string | number> = {}
      if (q.alarmId !== undefined) (where.push('alarm_id = $id'), (params.id = q.alarmId))
      if (q.from !== undefined) (where.push(`"at" >= $from`), (params.from = q.from))
      if (q.to !== undefined) (where.push(`"at" < $to`), (params.to = q.to))
      const limit = Math.max(1, Math.min(100_000, Math.floor(q.limit ?? 1000)))
      const rows = await sql.all(
        `SELECT doc::VARCHAR FROM alarm_transitions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY "at" DESC, rowid DESC LIMIT ${limit}`,
        params,
      )
      return docs<AlarmTransitionRecord>(rows)
    },
    async addDeliveries(ds) {
      for (const d of ds)
        await sql.run('INSERT INTO alarm_deliveries VALUES ($1, $2, $3, $4, $5, $6)', [d.alarmId, d.personId, d.channel, d.at, d.ok, JSON.stringify(d)])
    },
    deliveries: async (alarmId) =>
      docs<DeliveryRecord>(await sql.all('SELECT doc::VARCHAR FROM alarm_deliveries WHERE alarm_id = $1 ORDER BY "at", rowid', [alarmId])),
  }
}
