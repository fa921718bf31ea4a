// The embedded DuckDB store: one file `millwatch.duckdb`, owned by a worker thread so that
// appender flushes and checkpoints (~125 ms stalls) never block the main event loop and the
// alarm path (DESIGN.md, "Performance facts"). This side validates, batches and converts.
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Worker } from 'node:worker_threads'
import { pino, type Logger } from 'pino'
import { errors } from '../../core/errors.ts'
import type { CoilEvent, Point } from '../../core/payloads.ts'
import type { RecordsStore, RetentionPolicy, StoreStats, TimeSeriesStore } from '../types.ts'
import { WorkerChannel } from './channel.ts'
import { GroupCommit } from './group-commit.ts'
import type { MaintainReport, SqlParams } from './protocol.ts'
import { makeRecordsStore, makeTimeSeriesStore } from './facade.ts'
import { SeriesIds } from './series-ids.ts'

export type { MaintainReport } from './protocol.ts'

export interface DuckDbStoreOptions {
  /** folder of the database file; created if missing */
  dir: string
  /** commit as soon as this many points are pending (default 50 000) */
  batchPoints?: number
  /** ... or this long after the first pending point (default 20 ms) */
  flushIntervalMs?: number
  /** default: keep everything */
  retention?: RetentionPolicy
  log?: Logger
  /** the clock for rollups and retention (tests inject one) */
  now?: () => number
  /** how often rollups and retention run (default 10 s); 0 runs them only on maintain() */
  maintenanceIntervalMs?: number
  /** a minute is rolled up once it is this far in the past (default 2 min) */
  rollupLagMs?: number
  /** DuckDB's buffer-pool limit (default 256MB): its cache, not a cap on the file's size */
  memoryLimit?: string
  /**
   * CPU nice value (0–19) of the store's threads: with the cores busy, commits and checkpoints
   * wait and ingest, the rules and alarms go first (default 0: the same as everything else)
   */
  nice?: number
  /** points committed after which the store reopens its file between two commits (default 0: never; why: commit.ts) */
  reopenEveryPoints?: number
}

export interface DuckDbStore {
  timeseries: TimeSeriesStore
  records: RecordsStore
  /** Rolls up completed minutes, recomputes minutes that got late points, applies retention. */
  maintain(): Promise<MaintainReport>
  /** Commits everything accepted, checkpoints and closes the file. Safe to call twice. */
  close(): Promise<void>
  readonly file: string
  /** The thread that owns the database; exposed for diagnostics and fault-injection tests. */
  readonly worker: Worker
  /** SQL for the domain record modules (alarms, coils): writes in turn with commits, reads on reader connections */
  readonly sql: { run(sql: string, params?: SqlParams): Promise<void>; all(sql: string, params?: SqlParams): Promise<unknown[][]> }
}

// DuckDB's file lock keeps other processes out, but not a second instance in this process,
// which would corrupt the file: files open in this process are tracked here.
const openFiles: Set<string> = ((globalThis as Record<symbol, unknown>)[Symbol.for('millwatch.duckdb.openFiles')] ??= new Set<string>()) as Set<string>

export async function openDuckDbStore(opts: DuckDbStoreOptions): Promise<DuckDbStore> {
  const file = resolve(join(opts.dir, 'millwatch.duckdb'))
  if (openFiles.has(file)) throw new Error(`cannot open DuckDB database ${file}: it is already open in this process`)
  openFiles.add(file)
  try {
    return await open(file, opts)
  } catch (err) {
    openFiles.delete(file)
    throw err
  }
}

async function open(file: string, opts: DuckDbStoreOptions): Promise<DuckDbStore> {
  const log = opts.log ?? pino({ enabled: false })
  const now = opts.now ?? Date.now
  try {
    await mkdir(opts.dir, { recursive: true })
  } catch (err) {
    throw new Error(`cannot open DuckDB database ${file}: ${(err as Error).message}`, { cause: err })
  }
  const stats: StoreStats = { pending: 0, pointsWritten: 0, lastBatchMs: 0 }
  let group: GroupCommit | undefined
  let timer: NodeJS.Timeout | undefined
  const channel = new WorkerChannel(
    {
      file,
      rollupLagMs: opts.rollupLagMs ?? 120_000,
      memoryLimit: opts.memoryLimit ?? '256MB',
      nice: opts.nice ?? 0,
      reopenEveryPoints: opts.reopenEveryPoints ?? 0,
      retention: opts.retention ?? { rawMs: 0, rollupMs: 0 },
      readConnections: 2,
    },
    log,
    {
      committed(ids, points, ms) {
        stats.pointsWritten += points
        stats.lastBatchMs = ms
        delete stats.failing
        group?.settle(ids)
      },
      commitFailed(ids, err) {
        log.warn({ err }, 'store commit failed; the writes are rejected and later writes retry')
        stats.failing = err.message
        group?.settle(ids, err)
      },
      died(err) {
        stats.failing = err.message
        clearInterval(timer)
        group?.failAll(err)
      },
    },
  )
  const series = new SeriesIds(await channel.ready)
  group = new GroupCommit(series, (b) => channel.post(b), opts.batchPoints ?? 50_000, opts.flushIntervalMs ?? 20)

  const maintain = () => channel.call('maintain', { now: now() })
  const every = opts.maintenanceIntervalMs ?? 10_000
  let maintaining = false // a slow pass (a big backlog) is not joined by the next tick's
  const tick = () => {
    if (maintaining) return
    maintaining = true
    maintain()
      .then((r) => log.debug(r, 'store maintenance'))
      .catch((err) => log.warn({ err }, 'store maintenance failed'))
      .finally(() => (maintaining = false))
  }
  if (every > 0) (timer = setInterval(tick, every)).unref()

  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      clearInterval(timer)
      group.flush()
      try {
        await channel.close()
      } finally {
        openFiles.delete(file)
      }
    })())

  // The two stores share the file; it closes when both have been closed (or close() is called).
  let openParts = 2
  const partClosed = async () => {
    group.flush()
    if (--openParts === 0) await close()
    else await group.idle()
  }
  const closedError = () => (closing ? errors.unavailable('store is closed') : undefined)
  const timeseries = makeTimeSeriesStore({
    channel, series, closedError, onClose: partClosed,
    write: (points: readonly Point[]) => group.addPoints(points),
    writeReadings: (line, equipment, ts, values) => group.addReadings(line, equipment, ts, values),
    stats: () => ({ ...stats, pending: group.pending }),
  })
  const records = makeRecordsStore({
    channel, closedError, onClose: partClosed,
    append: (events: readonly CoilEvent[]) => group.addCoilEvents(events),
  })
  const sql = {
    async run(text: string, params: SqlParams = []) {
      if (closing) throw errors.unavailable('store is closed')
      await channel.call('sqlRun', { sql: text, params })
    },
    all: (text: string, params: SqlParams = []) => channel.call('sqlAll', { sql: text, params }),
  }
  return { timeseries, records, maintain, close, file, worker: channel.worker, sql }
}
