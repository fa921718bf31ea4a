// Group commit, worker half: every batch that arrived while the previous transaction was
// busy goes into the next one, so under load the commit rate stays flat while the batch
// size grows. One transaction holds the new series, the points, their latest_log rows, the
// dirty-minute marks and the coil events: all durable together, or none (then the batches
// are reported failed, the main thread rejects their writes, and the next commit retries
// whatever series definitions are still unsaved).
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api'
import { appendPointColumns } from './chunks.ts'
import type { Database } from './database.ts'
import { DirtyMinutes } from './dirty-minutes.ts'
import type { Exclusive } from './exclusive.ts'
import type { FromWorker, SeriesDef, StoredCoilEvent, WriteBatch } from './protocol.ts'
import { floorTo, MINUTE } from './schema.ts'
import type { SeriesIndex } from './series-index.ts'

const SLICE = 8192

interface Appenders { points: DuckDBAppender; latest: DuckDBAppender; dirty: DuckDBAppender; coils: DuckDBAppender }

export class Committer {
  /** minutes before this are rolled up; a point older than it marks its minute dirty */
  watermark = Number.MIN_SAFE_INTEGER
  /** raw points before this are being deleted by retention: no use marking their minutes */
  rawCutoff = Number.MIN_SAFE_INTEGER
  private inbox: WriteBatch[] = []
  private scheduled = false
  private appenders: Appenders | undefined
  /** points committed since the file was opened */
  private sinceOpen = 0
  /** the next reopen releases metadata (planned), not a failure */
  private planned = false

  constructor(
    private readonly db: Database,
    private readonly index: SeriesIndex,
    private readonly dirty: DirtyMinutes,
    private readonly writer: Exclusive,
    private readonly post: (m: FromWorker) => void,
    /**
     * DuckDB holds what it knows of every row group written since the file was opened (segment
     * pointers, statistics, version info) in memory its memory_limit does not cover: ~2.5 MB
     * per 15 million points, a minute at full rate, for as long as the file stays open. After
     * this many points (0: never) the file is closed and opened again before the next commit,
     * which gives that memory back; the commit waits for it, nothing is lost.
     */
    private readonly reopenEveryPoints = 0,
  ) {}

  enqueue(batch: WriteBatch): void {
    this.inbox.push(batch)
    if (this.scheduled) return
    this.scheduled = true
    // setImmediate lets the other messages already delivered join this commit.
    setImmediate(() => void this.writer.run(() => this.commitInbox()))
  }

  /** Commits everything queued so far (close() uses it to drain). */
  async commitInbox(): Promise<void> {
    this.scheduled = false
    const batches = this.inbox.splice(0)
    if (batches.length === 0) return
    const ids = batches.map((b) => b.id)
    const t0 = performance.now()
    let n = 0
    for (const b of batches) {
      for (const def of b.defs) this.index.add(def)
      n += b.n
    }
    try {
      await this.ensureOpen()
      await this.transaction(batches)
      this.post({ t: 'committed', ids, points: n, ms: performance.now() - t0 })
      this.sinceOpen += n
      if (this.reopenEveryPoints > 0 && this.sinceOpen >= this.reopenEveryPoints && !this.db.needsReopen) {
        this.planned = true
        this.db.needsReopen = true
      }
    } catch (err) {
      // Reopen before the next commit: after a fatal error DuckDB demands it, and after any
      // other failure (disk full, file gone read-only) a fresh start from the file is the
      // surest way back once the cause is fixed. Reads keep working meanwhile.
      this.db.needsReopen = true
      this.post({ t: 'commitFailed', ids, message: (err as Error).message })
    }
  }

  /** Reopens the file after a failed commit, a fatal error or `reopenEveryPoints`, before the next transaction. */
  async ensureOpen(): Promise<void> {
    if (!this.db.needsReopen) return
    const planned = this.planned
    const points = this.sinceOpen
    const t0 = performance.now()
    this.appenders = undefined // they belong to the connections being closed
    this.planned = false
    await this.db.reopen()
    this.sinceOpen = 0
    const ms = Math.round(performance.now() - t0)
    if (planned) this.post({ t: 'log', level: 'info', msg: 'DuckDB database reopened to give back the memory its row groups took', data: { points, ms } })
    else this.post({ t: 'log', level: 'info', msg: 'DuckDB database reopened after a failure', data: { ms } })
  }

  closeAppenders(): void {
    for (const a of Object.values(this.appenders ?? {})) a.closeSync()
    this.appenders = undefined
  }

  private async transaction(batches: WriteBatch[]): Promise<void> {
    const w = this.db.writer
    const ap = (this.appenders ??= await openAppenders(w))
    const defs = [...this.index.unsaved.values()]
    const newest = new Map<number, { ts: number; value: number }>()
    const marks: Array<[number, number]> = []
    await w.run('BEGIN TRANSACTION')
    try {
      if (defs.length) await insertSeries(w, defs)
      for (const b of batches) {
        // Building chunks is synchronous JS (~1 ms per 1000 rows): every few thousand rows,
        // let queries waiting on this thread start, so they don't queue behind a big commit.
        for (let off = 0; off < b.n; off += SLICE) {
          appendPointColumns(ap.points, b.sid, b.ts, b.value, off, Math.min(b.n, off + SLICE))
          await new Promise((res) => setImmediate(res))
        }
        this.collect(b, newest, marks)
        for (const e of b.coils) appendCoil(ap.coils, e)
      }
      const sids = [...newest.keys()]
      const latest = { sid: Int32Array.from(sids), ts: new Float64Array(sids.length), value: new Float64Array(sids.length) }
      for (let i = 0; i < sids.length; i++) {
        const p = newest.get(sids[i])!
        latest.ts[i] = p.ts
        latest.value[i] = p.value
      }
      appendPointColumns(ap.latest, latest.sid, latest.ts, latest.value, 0, sids.length)
      for (const [sid, minute] of marks) {
        ap.dirty.appendInteger(sid)
        ap.dirty.appendBigInt(BigInt(minute))
        ap.dirty.endRow()
      }
      for (const a of [ap.points, ap.latest, ap.dirty, ap.coils]) a.flushSync()
      await w.run('COMMIT')
    } catch (err) {
      // An appender may still hold rows of the failed transaction: drop them, start afresh.
      for (const a of Object.values(ap)) {
        try {
          a.clear()
          a.closeSync()
        } catch {
          // a broken appender is dropped below anyway
        }
      }
      this.appenders = undefined
      await w.run('ROLLBACK').catch(() => undefined)
      throw err
    }
    for (const d of defs) this.index.unsaved.delete(d[0])
    for (const [sid, p] of newest) this.index.newest.set(sid, p)
    for (const [sid, minute] of marks) this.dirty.add(sid, minute)
  }

  /**
   * Tracks each series' newest point, and marks the minutes that must be rolled up with
   * duplicates collapsed: minutes already rolled up (the point is late) and minutes that got
   * a point not newer than its series' newest (out of order: maybe a resend). In-order
   * points — the normal case — mark nothing, so most minutes roll up with a plain aggregate,
   * ~8× cheaper than one that collapses duplicates first (see maintenance.ts).
   */
  private collect(b: WriteBatch, newest: Map<number, { ts: number; value: number }>, marks: Array<[number, number]>): void {
    const marked = new DirtyMinutes()
    let lastSid = -1
    let lastMinute = Number.NaN
    for (let i = 0; i < b.n; i++) {
      const sid = b.sid[i]
      const ts = b.ts[i]
      const cur = newest.get(sid)
      const prev = cur?.ts ?? this.index.newest.get(sid)?.ts ?? -Infinity
      if (ts > prev) {
        if (cur) ((cur.ts = ts), (cur.value = b.value[i]))
        else newest.set(sid, { ts, value: b.value[i] })
      }
      // Below the raw cutoff a point is deleted at the next pass anyway: nothing to mark.
      if ((ts <= prev || ts < this.watermark) && ts >= this.rawCutoff) {
        const minute = floorTo(ts, MINUTE)
        if (sid === lastSid && minute === lastMinute) continue // a backfill marks runs of them
        lastSid = sid
        lastMinute = minute
        if (this.dirty.has(sid, minute) || marked.has(sid, minute)) continue
        marked.add(sid, minute)
        marks.push([sid, minute])
      }
    }
  }
}

async function openAppenders(w: DuckDBConnection): Promise<Appenders> {
  return {
    points: await w.createAppender('points'),
    latest: await w.createAppender('latest_log'),
    dirty: await w.createAppender('rollup_dirty'),
    coils: await w.createAppender('coil_events'),
  }
}

async function insertSeries(w: DuckDBConnection, defs: SeriesDef[]): Promise<void> {
  for (let i = 0; i < defs.length; i += 500) {
    const part = defs.slice(i, i + 500)
    const rows = part.map((_, k) => `($${k * 4 + 1}::INTEGER, $${k * 4 + 2}, $${k * 4 + 3}, $${k * 4 + 4})`).join(', ')
    await w.run(`INSERT INTO series VALUES ${rows} ON CONFLICT DO NOTHING`, part.flat())
  }
}

function appendCoil(a: DuckDBAppender, e: StoredCoilEvent): void {
  a.appendVarchar(e.line)
  a.appendVarchar(e.coilId)
  a.appendVarchar(e.event)
  a.appendBigInt(BigInt(e.ts))
  a.appendVarchar(e.attributes)
  a.endRow()
}
