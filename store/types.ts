// The two store interfaces (DESIGN.md, "Decisions"): the time-series store holds readings,
// the records store holds everything else (coil events now; alerts, coils, inspections and
// the audit log later). Every implementation passes the contract suites in store/contract/.
import type { CoilEvent, Point } from '../core/payloads.ts'
import type { CoilRecord, CoilStatus } from '../coils/model.ts'
import type { ProcessSummary } from '../coils/summary.ts'

export interface SeriesKey {
  line: string
  equipment: string
  sensor: string
}

export interface RangeQuery extends SeriesKey {
  /** epoch ms, inclusive */
  from: number
  /** epoch ms, exclusive */
  to: number
  /** at most this many points, oldest first (default 100 000) */
  limit?: number
}

export interface BucketQuery extends RangeQuery {
  /** bucket width in ms; buckets start at multiples of stepMs since the epoch (UTC) */
  stepMs: number
}

export interface RawPoint {
  ts: number
  value: number
}

export interface Bucket {
  /** start of the bucket, epoch ms */
  ts: number
  avg: number
  min: number
  max: number
  count: number
}

export interface LatestValue extends SeriesKey {
  ts: number
  value: number
}

export interface StoreStats {
  /** points accepted by write() and not yet durable */
  pending: number
  pointsWritten: number
  /** duration of the last batch commit in ms */
  lastBatchMs: number
  /** while commits fail (disk full, read-only): the last error; absent once one succeeds again */
  failing?: string
}

export interface RetentionPolicy {
  /** raw points older than this are deleted (ms); 0 keeps them forever */
  rawMs: number
  /** 1-minute rollups older than this are deleted (ms); 0 keeps them forever */
  rollupMs: number
}

export interface TimeSeriesStore {
  /**
   * Accepts points; the promise resolves once they are durable (committed to disk), so a
   * caller may acknowledge them to the device. Batching (group commit) is the store's job:
   * many small writes in the same few milliseconds become one commit.
   */
  write(points: readonly Point[]): Promise<void>
  /**
   * write() for one device message — its readings (sensor → value) of one piece of equipment
   * at one time — without a Point object per reading. Optional: ingest builds points for a
   * store without it.
   */
  writeReadings?(line: string, equipment: string, ts: number, values: Readonly<Record<string, number>>): Promise<void>
  /** Raw points in [from, to), oldest first. Unknown series → []. */
  range(q: RangeQuery): Promise<RawPoint[]>
  /** Time buckets in [from, to) with avg/min/max/count; empty buckets are omitted. */
  buckets(q: BucketQuery): Promise<Bucket[]>
  /** The newest value of every sensor of a line (optionally one piece of equipment). */
  latest(q: { line: string; equipment?: string }): Promise<LatestValue[]>
  stats(): StoreStats
  /** Flushes everything accepted, then releases resources. Safe to call twice. */
  close(): Promise<void>
}

/** One state change made by a person or a machine client (ack, shelve, hold, rule change…). */
export interface AuditEntry {
  /** epoch ms */
  ts: number
  /** person id, `token:<name>` or `system` */
  actor: string
  /** e.g. `alarm.ack`, `coil.hold`, `token.create`, `session.signin` */
  action: string
  /** what it acted on, e.g. an alarm or coil id */
  target?: string
  /** the client address the request came from */
  from?: string
  details?: Record<string, unknown>
}

/** An alarm point's latest state, as the alerts part keeps it (stored whole as JSON). */
export interface AlarmSnapshot {
  key: string
  id: string
  line: string
  equipment: string
  state: string
  active: boolean
  updatedAt: number
  [field: string]: unknown
}

/** One ISA-18.2 state transition of an alarm (who, when, from → to). */
export interface AlarmTransitionRecord {
  alarmId: string
  key: string
  action: string
  from: string
  to: string
  at: number
  by?: string
  [field: string]: unknown
}

/** One attempt to notify a person of an alarm on one channel. */
export interface DeliveryRecord {
  alarmId: string
  personId: string
  channel: string
  at: number
  ok: boolean
  error?: string
  attempt?: number
  [field: string]: unknown
}

export interface AlarmRecords {
  /** Stores each alarm's new state and its transition, in order; durable when resolved. */
  save(changes: readonly { alarm: AlarmSnapshot; transition: AlarmTransitionRecord }[]): Promise<void>
  /** The latest state of every alarm point (to restore the engine after a restart). */
  current(): Promise<AlarmSnapshot[]>
  /** Newest first. */
  transitions(q: { alarmId?: string; from?: number; to?: number; limit?: number }): Promise<AlarmTransitionRecord[]>
  addDeliveries(d: readonly DeliveryRecord[]): Promise<void>
  deliveries(alarmId: string): Promise<DeliveryRecord[]>
}

/** A coil's record with its process summary ("how it was rolled"), as the records store keeps it. */
export interface StoredCoil {
  record: CoilRecord
  summary?: ProcessSummary
}

/** One QA inspection of a coil (issue 5, "QA actions"). */
export interface CoilInspection {
  id: string
  coilId: string
  /** epoch ms */
  at: number
  inspector: string
  defect: string
  /** metres from the head end */
  position_m?: number
  severity: 'minor' | 'major' | 'critical'
  note?: string
}

/** One status change of a coil, with who made it and why. */
export interface CoilStatusEntry {
  coilId: string
  at: number
  status: CoilStatus
  from?: CoilStatus
  by?: string
  reason?: string
}

export interface CoilRecords {
  /** Inserts or replaces whole records; durable when resolved (up to 500 records in one commit). */
  upsert(coils: readonly StoredCoil[]): Promise<void>
  /** `summary: false` leaves the process summary out (the public view needs none). */
  get(id: string, opts?: { summary?: boolean }): Promise<StoredCoil | undefined>
  /** The record, summary, inspections and history in one read (the coil page). */
  detail(id: string): Promise<(StoredCoil & { inspections: CoilInspection[]; history: CoilStatusEntry[] }) | undefined>
  /** Newest start first; `from`/`to` bound the start time (epoch ms, [from, to)); `suspect` keeps only coils with suspect alarms. */
  list(q: { limit?: number; status?: CoilStatus; line?: string; from?: number; to?: number; suspect?: boolean }): Promise<CoilRecord[]>
  /**
   * The coils of a line on the mill at some time in [from, to): started before `to` and
   * finished after `from`; a coil without a finish counts as on the mill up to `openMs` after its start.
   */
  onMill(q: { line: string; from: number; to: number; openMs: number; limit?: number }): Promise<CoilRecord[]>
  /** The coils split from this one. */
  children(id: string): Promise<CoilRecord[]>
  /** The coil it was split from, that one's parent, …, nearest first. */
  ancestors(id: string): Promise<CoilRecord[]>
  addInspection(i: CoilInspection): Promise<void>
  /** Newest first. */
  inspections(coilId: string): Promise<CoilInspection[]>
  addHistory(e: CoilStatusEntry): Promise<void>
  /** Newest first. */
  history(coilId: string): Promise<CoilStatusEntry[]>
  count(): Promise<number>
}

export interface RecordsStore {
  /** Durable like TimeSeriesStore.write. */
  appendCoilEvents(events: readonly CoilEvent[]): Promise<void>
  /** Newest first. */
  coilEvents(q: { line?: string; coilId?: string; from?: number; to?: number; limit?: number }): Promise<CoilEvent[]>
  /** Durable once the promise resolves. */
  appendAudit(entry: AuditEntry): Promise<void>
  /** Newest first. */
  audit(q: { actor?: string; action?: string; from?: number; to?: number; limit?: number }): Promise<AuditEntry[]>
  close(): Promise<void>
}

/** The figures of a finished coil that the production KPIs read (issue 6), without the rest of its summary. */
export interface CoilFacts {
  id: string
  line: string
  /** epoch ms: a coil counts in the period it finished in */
  finishedAt: number
  grade?: string
  weight_t?: number
  length_m?: number
  crew?: string
  shift?: string
  /** from the process summary (coils/thickness.ts) */
  thickness?: {
    mean_um: number
    stdDev_um: number
    samples: number
    gaugedLength_m?: number
    target_um?: number
    tolerance_um?: number
    /** 0–1 */
    inToleranceShare?: number
  }
}

export interface ProductionRecords {
  /** Coils that finished in [from, to), oldest first (one read for a whole KPI table). */
  finishedCoils(q: { line?: string; from: number; to: number }): Promise<CoilFacts[]>
}

/** A stored shift report (issue 6: "a daily shift report … kept as a page"). */
export interface StoredShiftReport {
  /** e.g. `tcm1-2025-11-24-day` */
  id: string
  line: string
  shiftId: string
  /** plant-local date the shift started on */
  date: string
  crew?: string
  /** epoch ms, the shift's [start, end) */
  start: number
  end: number
  createdAt: number
  /** the report's figures (dashboard/kpi/report.ts) */
  report: Record<string, unknown>
}

export interface ShiftReportRecords {
  /** Inserts or replaces the report with this id; durable when resolved. */
  save(r: StoredShiftReport): Promise<void>
  get(id: string): Promise<StoredShiftReport | undefined>
  /** Newest shift first, without the figures. */
  list(q: { line?: string; limit?: number }): Promise<Omit<StoredShiftReport, 'report'>[]>
}
