// Minutes of a series that got a point out of order (maybe a QoS 1 resend) or after being
// rolled up (a gateway replaying its buffer): maintenance rolls them up with duplicates
// collapsed, and recomputes those already rolled up. Until then bucket queries read
// rolled-up dirty minutes from raw points instead of rollup_1m, so a write shows in every
// query as soon as it resolves. Mirrors the rollup_dirty table, which survives a restart.
import type { DuckDBConnection } from '@duckdb/node-api'

export class DirtyMinutes {
  private readonly bySeries = new Map<number, Set<number>>()

  async load(c: DuckDBConnection): Promise<void> {
    const r = await c.runAndReadAll('SELECT DISTINCT series_id, ts::DOUBLE FROM rollup_dirty')
    for (const [sid, minute] of r.getRowsJS()) this.add(Number(sid), Number(minute))
  }

  has(sid: number, minute: number): boolean {
    return this.bySeries.get(sid)?.has(minute) ?? false
  }

  add(sid: number, minute: number): void {
    let s = this.bySeries.get(sid)
    if (!s) this.bySeries.set(sid, (s = new Set()))
    s.add(minute)
  }

  /** The dirty minutes of one series in [from, to), ascending. */
  within(sid: number, from: number, to: number): number[] {
    const s = this.bySeries.get(sid)
    if (!s) return []
    return [...s].filter((m) => m >= from && m < to).sort((a, b) => a - b)
  }

  /** Maintenance has rolled up everything before `watermark`. */
  dropBefore(watermark: number): void {
    for (const [sid, s] of this.bySeries) {
      for (const m of s) if (m < watermark) s.delete(m)
      if (s.size === 0) this.bySeries.delete(sid)
    }
  }
}
