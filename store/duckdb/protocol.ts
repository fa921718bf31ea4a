// Messages between the main thread (index.ts) and the DuckDB worker (worker.ts).
// Points travel as columns in transferred typed arrays: one structured clone per batch
// instead of one object per point, so a 50k-point batch costs microseconds to hand over.
import type { CoilEvent } from '../../core/payloads.ts'
import type { LatestValue, AuditEntry } from '../types.ts'

/** A row of the `series` dictionary. Ids are assigned by the main thread (see series-ids.ts). */
export type SeriesDef = [id: number, line: string, equipment: string, sensor: string]

export interface WorkerOptions {
  /** the database file */
  file: string
  /** raw points older than the rollup watermark by this much are still raw-only (ms) */
  rollupLagMs: number
  retention: { rawMs: number; rollupMs: number }
  readConnections: number
  /** DuckDB's buffer-pool limit, e.g. '256MB' */
  memoryLimit: string
  /** CPU nice value of the store's threads (0 = as the rest of millwatch) */
  nice: number
  /** points committed after which the file is closed and opened again (0 = never): see commit.ts */
  reopenEveryPoints: number
}

/** A coil event with its attributes already serialised (so a bad one fails alone, here). */
export type StoredCoilEvent = Omit<CoilEvent, 'attributes'> & { attributes: string }

/** One group-commit unit: everything the main thread accepted during one flush interval. */
export interface WriteBatch {
  t: 'write'
  id: number
  /** series first seen in this batch; the worker persists them with the points */
  defs: SeriesDef[]
  n: number
  sid: Int32Array
  ts: Float64Array
  value: Float64Array
  coils: StoredCoilEvent[]
}

export type SqlParams = Record<string, string | number | boolean | null> | Array<string | number | boolean | null>
export interface AuditQuery { actor?: string; action?: string; from?: number; to?: number; limit: number }
export interface CoilQuery { line?: string; coilId?: string; from?: number; to?: number; limit: number }

export interface MaintainReport {
  /** the rollup watermark after this pass: minutes before it are in rollup_1m */
  watermark: number
  /** raw points before this were deleted by retention (lowest safe integer: none) */
  rawCutoff: number
  /** minutes of one series rolled up with a plain aggregate */
  rolledUpMinutes: number
  /** minutes of one series (re)computed with duplicates collapsed: they had out-of-order or late points */
  dirtyMinutes: number
  deletedPoints: number
  deletedRollups: number
  /** whole days of rollup_1m rewritten sorted by series (rollup-order.ts) */
  sortedDays: number
}

/** Columnar results (transferred, not cloned). */
export interface RangeColumns { ts: Float64Array; value: Float64Array }
export interface BucketColumns { ts: Float64Array; avg: Float64Array; min: Float64Array; max: Float64Array; count: Float64Array }

export interface Calls {
  range: { args: { sid: number; from: number; to: number; limit: number }; result: RangeColumns }
  buckets: { args: { sid: number; from: number; to: number; stepMs: number; limit: number }; result: BucketColumns }
  latest: { args: { line: string; equipment?: string }; result: LatestValue[] }
  coilEvents: { args: CoilQuery; result: CoilEvent[] }
  appendAudit: { args: AuditEntry; result: null }
  /** domain record modules (store/duckdb/records-*.ts) run their own SQL through these */
  sqlRun: { args: { sql: string; params: SqlParams }; result: null }
  sqlAll: { args: { sql: string; params: SqlParams }; result: unknown[][] }
  audit: { args: AuditQuery; result: AuditEntry[] }
  maintain: { args: { now: number }; result: MaintainReport }
  close: { args: Record<string, never>; result: null }
}
export type CallName = keyof Calls

export type ToWorker = WriteBatch | { t: 'call'; id: number; op: CallName; args: unknown }

export type FromWorker =
  | { t: 'ready'; series: SeriesDef[] }
  | { t: 'openFailed'; message: string }
  | { t: 'committed'; ids: number[]; points: number; ms: number }
  | { t: 'commitFailed'; ids: number[]; message: string }
  | { t: 'reply'; id: number; value: unknown }
  | { t: 'error'; id: number; message: string }
  | { t: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; msg: string; data?: Record<string, unknown> }
