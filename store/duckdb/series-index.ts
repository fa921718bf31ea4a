// The worker's view of the series: the dictionary (id → line/equipment/sensor), which
// definitions still have to be persisted, and the newest point of every series, kept in
// memory so `latest` answers without touching the points table. It is rebuilt at open from
// `series` and the small `latest_log` table (see schema.ts).
import type { DuckDBConnection } from '@duckdb/node-api'
import type { LatestValue } from '../types.ts'
import type { SeriesDef } from './protocol.ts'

export class SeriesIndex {
  private readonly defs = new Map<number, SeriesDef>()
  private readonly byLine = new Map<string, number[]>()
  /** received from the main thread, not committed yet (retried by every commit until it is) */
  readonly unsaved = new Map<number, SeriesDef>()
  /** the newest committed point per series id (the first of equal timestamps stays) */
  readonly newest = new Map<number, { ts: number; value: number }>()

  async load(c: DuckDBConnection): Promise<void> {
    const series = await c.runAndReadAll('SELECT id, line, equipment, sensor FROM series ORDER BY id')
    for (const [id, line, equipment, sensor] of series.getRowsJS()) this.remember([Number(id), String(line), String(equipment), String(sensor)])
    const latest = await c.runAndReadAll(
      'SELECT series_id, max(ts)::DOUBLE, arg_max(value, ts) FROM latest_log GROUP BY series_id',
    )
    for (const [sid, ts, value] of latest.getRowsJS()) this.newest.set(Number(sid), { ts: Number(ts), value: Number(value) })
  }

  all(): SeriesDef[] {
    return [...this.defs.values()]
  }

  add(def: SeriesDef): void {
    if (this.defs.has(def[0])) return
    this.remember(def)
    this.unsaved.set(def[0], def)
  }

  latest(line: string, equipment?: string): LatestValue[] {
    const out: LatestValue[] = []
    for (const id of this.byLine.get(line) ?? []) {
      const [, , eq, sensor] = this.defs.get(id)!
      const p = this.newest.get(id)
      if (p && (equipment === undefined || eq === equipment)) out.push({ line, equipment: eq, sensor, ts: p.ts, value: p.value })
    }
    return out.sort((a, b) => (a.equipment < b.equipment ? -1 : a.equipment > b.equipment ? 1 : a.sensor < b.sensor ? -1 : a.sensor > b.sensor ? 1 : 0))
  }

  private remember(def: SeriesDef): void {
    this.defs.set(def[0], def)
    const ids = this.byLine.get(def[1])
    if (ids) ids.push(def[0])
    else this.byLine.set(def[1], [def[0]])
  }
}
