// The InfluxDB time-series store (STORE=influx): writes through @influxdata/influxdb-client's
// WriteApi with a disk spool behind it (writer.ts, spool.ts), reads with InfluxQL (queries.ts).
// Only the time series lives in InfluxDB; the records (alarms, coils, audit) stay in the
// DuckDB file. It opens while InfluxDB is down: writes then go to the spool until it is back.
import { join } from 'node:path'
import { pino, type Logger } from 'pino'
import { Counter, Gauge, type Registry } from 'prom-client'
import { errors } from '../../core/errors.ts'
import type { StoreStats, TimeSeriesStore } from '../types.ts'
import { Connection } from './connection.ts'
import { checkPoint, toLines } from './line-protocol.ts'
import { buckets, latest, range } from './queries.ts'
import type { InfluxTarget, ServerInfo } from './server.ts'
import { Spool } from './spool.ts'
import { InfluxWriter } from './writer.ts'

export type { InfluxTarget } from './server.ts'

export interface InfluxStoreOptions extends InfluxTarget {
  /** the spool's folder (millwatch uses DATA_DIR/influx-spool) */
  spoolDir: string
  /** the spool's bound in bytes (default 1 GiB); beyond it writes are refused */
  spoolMaxBytes?: number
  /** send a batch when it holds this many points (default 5000) ... */
  batchPoints?: number
  /** ... or this long after its first point (default 20 ms) */
  flushIntervalMs?: number
  /** batches in flight at once (default 2) */
  maxInFlight?: number
  /** a batch InfluxDB has not taken after this long goes to the spool (default 2 s) */
  spoolAfterMs?: number
  /** HTTP socket timeout (default 10 s) */
  timeoutMs?: number
  log?: Logger
  metrics?: Registry
}

export interface InfluxStore {
  timeseries: TimeSeriesStore
  /** the server's version, once it has answered */
  server(): ServerInfo | undefined
  spool(): { bytes: number; points: number; maxBytes: number }
  /** for /healthz and the banner, e.g. `influx 1.6.7 at http://…, bucket millwatch` */
  describe(): string
  close(): Promise<void>
}

export async function openInfluxStore(o: InfluxStoreOptions): Promise<InfluxStore> {
  const log = o.log ?? pino({ enabled: false })
  const target: InfluxTarget = { url: o.url, token: o.token, org: o.org, bucket: o.bucket }
  const conn = new Connection(target, log, o.timeoutMs ?? 10_000)
  const m = o.metrics ? metrics(o.metrics) : undefined
  const spool = await Spool.open(o.spoolDir ?? join('data', 'influx-spool'), o.spoolMaxBytes ?? 1024 ** 3, (full) => {
    m?.full.set(full ? 1 : 0)
    if (full) log.error({ spoolBytes: spool.bytes, maxBytes: spool.maxBytes }, 'InfluxDB spool is full: refusing readings (devices are not acknowledged and will resend) until InfluxDB takes writes again')
    else log.warn({ spoolBytes: spool.bytes }, 'InfluxDB spool has room again: accepting readings')
  })
  if (!spool.empty) log.warn({ spooledPoints: spool.points, bytes: spool.bytes }, 'readings from an earlier run wait in the InfluxDB spool; replaying them')
  m?.collect(() => ({ bytes: spool.bytes, points: spool.points }))

  const stats: StoreStats = { pending: 0, pointsWritten: 0, lastBatchMs: 0 }
  const writer = new InfluxWriter(
    {
      batchPoints: o.batchPoints ?? 5000,
      flushIntervalMs: o.flushIntervalMs ?? 20,
      maxInFlight: o.maxInFlight ?? 2,
      spoolAfterMs: o.spoolAfterMs ?? 2000,
      replayPoints: 20_000,
    },
    spool,
    {
      send: (body) => conn.send(body),
      written(points, ms) {
        stats.pointsWritten += points
        stats.lastBatchMs = ms
        m?.written.inc(points)
      },
      refused(points, err) {
        m?.refused.inc(points)
        log.error({ err: err.message, points }, 'InfluxDB refused readings for good (e.g. a field type conflict or beyond its retention policy); they are not stored')
      },
    },
    log,
  )
  // Connect now when InfluxDB is up; if not, writes spool and the replayer connects later.
  await conn.get().catch((err: Error) => log.warn({ err: err.message, url: o.url }, 'InfluxDB is not reachable; readings go to the disk spool until it is'))

  const server = { target, info: async () => (await conn.get().catch((err: Error) => { throw errors.unavailable(`InfluxDB cannot be reached: ${err.message}`) })).info }
  let closing: Promise<void> | undefined
  const where = ((u) => `${u.protocol}//${u.host}${u.pathname.replace(/\/$/, '')}`)(new URL(o.url)) // never credentials in /healthz
  const timeseries: TimeSeriesStore = {
    async write(points) {
      if (closing) throw errors.unavailable('store is closed')
      if (points.length === 0) return
      // Checked here: one bad point would otherwise fail (or sit in the spool with) a whole batch.
      for (const p of points) {
        const bad = checkPoint(p)
        if (bad) throw bad
      }
      return writer.write(toLines(points), points.length)
    },
    range: (q) => range(server, q),
    buckets: (q) => buckets(server, q),
    latest: (q) => latest(server, q),
    stats: () => ({ ...stats, pending: writer.pending }),
    close: () =>
      (closing ??= (async () => {
        await writer.close()
        await conn.close()
        await spool.release()
      })()),
  }
  return {
    timeseries,
    server: () => conn.info,
    spool: () => ({ bytes: spool.bytes, points: spool.points, maxBytes: spool.maxBytes }),
    describe: () => `influx ${conn.info?.version ?? '(not reachable yet)'} at ${where}, bucket ${o.bucket}${spool.empty ? '' : `; ${spool.points} readings spooled`}`,
    close: () => timeseries.close(),
  }
}

function metrics(registers: Registry) {
  const r = { registers: [registers] }
  let read = () => ({ bytes: 0, points: 0 })
  new Gauge({ name: 'mw_influx_spool_bytes', help: 'Bytes of readings waiting in the InfluxDB disk spool', ...r, collect() { this.set(read().bytes) } })
  new Gauge({ name: 'mw_influx_spool_points', help: 'Readings waiting in the InfluxDB disk spool', ...r, collect() { this.set(read().points) } })
  return {
    full: new Gauge({ name: 'mw_influx_spool_full', help: '1 while the InfluxDB spool is full and readings are refused', ...r }),
    written: new Counter({ name: 'mw_influx_points_written_total', help: 'Readings InfluxDB confirmed (directly or replayed from the spool)', ...r }),
    refused: new Counter({ name: 'mw_influx_points_refused_total', help: 'Readings InfluxDB refused for good (400)', ...r }),
    collect: (f: () => { bytes: number; points: number }) => void (read = f),
  }
}
