// The TimeSeriesStore and RecordsStore objects handed to the rest of millwatch: argument
// checks, unknown series answered without asking the worker, and columnar replies turned
// into the interface's plain objects.
import { errors } from '../../core/errors.ts'
import type { CoilEvent, Point } from '../../core/payloads.ts'
import type { Bucket, BucketQuery, RangeQuery, RawPoint, RecordsStore, StoreStats, TimeSeriesStore } from '../types.ts'
import type { WorkerChannel } from './channel.ts'
import type { SeriesIds } from './series-ids.ts'

const DEFAULT_LIMIT = 100_000
const DEFAULT_COIL_LIMIT = 1000

/** Epoch ms as an integer bound: ts are integers, so [from, to) ≡ [ceil(from), ceil(to)). */
function bound(v: number | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback
  if (typeof v !== 'number' || Number.isNaN(v)) throw errors.badRequest(`${name} must be epoch milliseconds`)
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(Number.MIN_SAFE_INTEGER, Math.ceil(v)))
}

function limitOf(v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback
  if (!Number.isInteger(v) || v < 0) throw errors.badRequest('limit must be a non-negative integer')
  return v
}

interface Common { channel: WorkerChannel; closedError(): Error | undefined; onClose(): Promise<void> }

/** close() safe to call twice; after it, writes are refused (reads work until the file closes). */
function closer(d: Common) {
  let p: Promise<void> | undefined
  return {
    close: () => (p ??= d.onClose()),
    check() {
      const err = p ? errors.unavailable('store is closed') : d.closedError()
      if (err) throw err
    },
  }
}

export function makeTimeSeriesStore(d: Common & {
  series: SeriesIds
  write(points: readonly Point[]): Promise<void>
  writeReadings(line: string, equipment: string, ts: number, values: Readonly<Record<string, number>>): Promise<void>
  stats(): StoreStats
}): TimeSeriesStore {
  const { channel, series } = d
  const c = closer(d)
  return {
    // Not async: every write of a group commit returns the batch's one promise, so the
    // broker's PUBACKs for a whole batch wait on it together (broker/policy.ts).
    write(points) {
      try {
        c.check()
      } catch (err) {
        return Promise.reject(err)
      }
      if (points.length === 0) return Promise.resolve()
      return d.write(points)
    },
    writeReadings(line, equipment, ts, values) {
      try {
        c.check()
      } catch (err) {
        return Promise.reject(err)
      }
      return d.writeReadings(line, equipment, ts, values)
    },
    async range(q: RangeQuery): Promise<RawPoint[]> {
      const args = { from: bound(q.from, 'from', 0), to: bound(q.to, 'to', 0), limit: limitOf(q.limit, DEFAULT_LIMIT) }
      const sid = series.find(q.line, q.equipment, q.sensor)
      if (sid === undefined || args.from >= args.to || args.limit === 0) return []
      const r = await channel.call('range', { sid, ...args })
      const out: RawPoint[] = new Array(r.ts.length)
      for (let i = 0; i < r.ts.length; i++) out[i] = { ts: r.ts[i], value: r.value[i] }
      return out
    },
    async buckets(q: BucketQuery): Promise<Bucket[]> {
      if (!Number.isInteger(q.stepMs) || q.stepMs <= 0) throw errors.badRequest('stepMs must be a positive integer')
      const args = { from: bound(q.from, 'from', 0), to: bound(q.to, 'to', 0), limit: limitOf(q.limit, DEFAULT_LIMIT), stepMs: q.stepMs }
      const sid = series.find(q.line, q.equipment, q.sensor)
      if (sid === undefined || args.from >= args.to || args.limit === 0) return []
      const r = await channel.call('buckets', { sid, ...args })
      const out: Bucket[] = new Array(r.ts.length)
      for (let i = 0; i < r.ts.length; i++) out[i] = { ts: r.ts[i], avg: r.avg[i], min: r.min[i], max: r.max[i], count: r.count[i] }
      return out
    },
    latest: (q) => channel.call('latest', { line: q.line, equipment: q.equipment }),
    stats: () => d.stats(),
    close: c.close,
  }
}

export function makeRecordsStore(d: Common & { append(events: readonly CoilEvent[]): Promise<void> }): RecordsStore {
  const c = closer(d)
  return {
    async appendCoilEvents(events) {
      c.check()
      if (events.length === 0) return
      return d.append(events)
    },
    coilEvents: (q) =>
      d.channel.call('coilEvents', {
        line: q.line, coilId: q.coilId,
        from: q.from === undefined ? undefined : bound(q.from, 'from', 0),
        to: q.to === undefined ? undefined : bound(q.to, 'to', 0),
        limit: limitOf(q.limit, DEFAULT_COIL_LIMIT),
      }),
    async appendAudit(entry) {
      c.check()
      if (!Number.isSafeInteger(Math.floor(entry.ts)) || !entry.actor || !entry.action) throw errors.badRequest('an audit entry needs ts (epoch ms), actor and action')
      await d.channel.call('appendAudit', { ...entry, ts: Math.floor(entry.ts) })
    },
    audit: (q) =>
      d.channel.call('audit', {
        actor: q.actor, action: q.action,
        from: q.from === undefined ? undefined : bound(q.from, 'from', 0),
        to: q.to === undefined ? undefined : bound(q.to, 'to', 0),
        limit: limitOf(q.limit, DEFAULT_COIL_LIMIT),
      }),
    close: c.close,
  }
}
