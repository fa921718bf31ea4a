// The coil record and how the line's coil events build it (DESIGN.md topic `plant/{line}/coil`,
// issue 5 "Coil records"). Pure functions of (record, event) → record: the records store
// keeps the events and the records, this file decides what they mean. Events may arrive
// twice (MQTT QoS 1 redelivers) or out of order (a finish before its start after a gateway
// reconnect), so applying them is idempotent and never moves a coil's status backwards.
import type { CoilEvent } from '../core/payloads.ts'
import type { ProcessSummary } from './summary.ts'

export type CoilStatus = 'rolling' | 'finished' | 'hold' | 'released' | 'shipped' | 'scrapped'
export const COIL_STATUSES: readonly CoilStatus[] = ['rolling', 'finished', 'hold', 'released', 'shipped', 'scrapped']

export interface StatusChange {
  readonly at: number
  readonly by?: string
  readonly reason?: string
}

export interface CoilRecord {
  readonly id: string
  readonly line: string
  readonly status: CoilStatus
  /** the hot-rolled band this coil was rolled from (the event's `parentId`) */
  readonly hotBandId?: string
  readonly heat?: string
  readonly grade?: string
  readonly entryThickness_mm?: number
  readonly targetThickness_mm?: number
  /** mean exit thickness from the process summary (length-weighted) */
  readonly measuredThickness_mm?: number
  readonly width_mm?: number
  readonly length_m?: number
  readonly weight_t?: number
  readonly crew?: string
  readonly shift?: string
  /** epoch ms, UTC */
  readonly startedAt?: number
  readonly finishedAt?: number
  /** the coil this one was cut or slit from */
  readonly splitFrom?: string
  /** when this coil was made by a split, or (a parent) split into its children */
  readonly splitAt?: number
  /** the coils this one was split into; empty unless split */
  readonly children: readonly string[]
  /** the last status change made by a person (hold, release, …) */
  readonly statusChange?: StatusChange
  /** high-priority alarms active while it was rolled (issue 5: "suspect" coils) */
  readonly suspectAlarms: readonly string[]
  /** the line's other attributes (pass schedule, …) and any value not valid for its field */
  readonly extra: Readonly<Record<string, unknown>>
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }
type Fields = Partial<Mutable<Pick<CoilRecord,
  'hotBandId' | 'heat' | 'grade' | 'entryThickness_mm' | 'targetThickness_mm' | 'width_mm' | 'length_m' | 'weight_t' | 'crew' | 'shift'>>>

// Plausible physical ranges for a cold mill; a value outside is kept in `extra`, not trusted.
const NUMBERS: Record<string, [keyof Fields, number, number]> = {
  entryThickness_mm: ['entryThickness_mm', 0.05, 30],
  targetThickness_mm: ['targetThickness_mm', 0.01, 30],
  width_mm: ['width_mm', 10, 5000],
  length_m: ['length_m', 0.1, 100_000],
  weight_t: ['weight_t', 0.001, 100],
}
const TEXTS: Record<string, keyof Fields> = { parentId: 'hotBandId', heat: 'heat', grade: 'grade', crew: 'crew', shift: 'shift' }

/** Splits an event's attributes into known fields and everything else. */
export function readAttributes(attributes: Readonly<Record<string, unknown>>): { fields: Fields; extra: Record<string, unknown> } {
  const fields: Record<string, unknown> = {}
  // No prototype: a device may send any key, "__proto__" included.
  const extra: Record<string, unknown> = Object.create(null)
  for (const [key, value] of Object.entries(attributes)) {
    const num = NUMBERS[key]
    const text = TEXTS[key]
    if (num && typeof value === 'number' && value >= num[1] && value <= num[2]) fields[num[0]] = value
    else if (text && typeof value === 'string' && value.trim().length > 0 && value.trim().length <= 64) fields[text] = value.trim()
    else extra[key] = value
  }
  return { fields: fields as Fields, extra }
}

/** Keys of `b` only where `a` has none: what an out-of-order, older event may still add. */
function fillMissing<T extends object>(a: T, b: Partial<T>): Partial<T> {
  const out: Partial<T> = {}
  for (const k of Object.keys(b) as (keyof T)[]) if (a[k] === undefined) out[k] = b[k]
  return out
}

/**
 * Applies a line's `start` or `finish` event. A `start` creates a rolling coil; a `finish`
 * finishes it (or creates it finished when its start was lost). Newer facts win while the
 * coil is on the mill; once it has moved on (finished, QA status) an event only fills gaps,
 * so a late or repeated event can never undo a hold.
 */
export function applyCoilEvent(record: CoilRecord | undefined, event: CoilEvent): CoilRecord {
  if (record && record.id !== event.coilId) throw new Error(`event for coil ${event.coilId} applied to coil ${record.id}`)
  const { fields, extra } = readAttributes(event.attributes)
  const base: CoilRecord = record ?? { id: event.coilId, line: event.line, status: 'rolling', children: [], suspectAlarms: [], extra: {} }

  if (event.event === 'start') {
    const onMill = base.status === 'rolling'
    return {
      ...base,
      ...(onMill ? fields : fillMissing(base, fields)),
      startedAt: base.startedAt === undefined ? event.ts : Math.min(base.startedAt, event.ts),
      extra: onMill ? { ...base.extra, ...extra } : { ...extra, ...base.extra },
    }
  }
  // finish: the finish event's attributes are final (exit scale weight, measured length).
  const finishing = base.status === 'rolling'
  const repeat = base.status === 'finished' && base.finishedAt !== undefined
  return {
    ...base,
    ...(finishing || repeat ? fields : fillMissing(base, fields)),
    status: finishing ? 'finished' : base.status,
    finishedAt: base.finishedAt ?? event.ts,
    extra: finishing || repeat ? { ...base.extra, ...extra } : { ...extra, ...base.extra },
  }
}

/** Records the process summary's measured figures on the coil. */
export function applySummary(record: CoilRecord, summary: ProcessSummary): CoilRecord {
  const mean = summary.thickness?.mean_um
  return {
    ...record,
    ...(mean !== undefined && { measuredThickness_mm: Math.round(mean) / 1000 }),
    ...(record.length_m === undefined && summary.length_m > 0 && { length_m: Math.round(summary.length_m * 10) / 10 }),
  }
}

/** Marks the coil suspect for a high-priority alarm active while it was rolled (idempotent). */
export function markSuspect(record: CoilRecord, alarmId: string): CoilRecord {
  return record.suspectAlarms.includes(alarmId) ? record : { ...record, suspectAlarms: [...record.suspectAlarms, alarmId] }
}

/** What anyone holding the coil may see without signing in: ID, grade, size, weight. */
export interface CoilPublicView {
  id: string
  grade?: string
  thickness_mm?: number
  width_mm?: number
  weight_t?: number
}

export function publicView(r: CoilRecord): CoilPublicView {
  return { id: r.id, grade: r.grade, thickness_mm: r.targetThickness_mm, width_mm: r.width_mm, weight_t: r.weight_t }
}

/** Everything, for a signed-in user: the record with its process summary. */
export interface CoilFullView extends CoilRecord {
  readonly summary?: ProcessSummary
}

export function fullView(r: CoilRecord, summary?: ProcessSummary): CoilFullView {
  return summary === undefined ? { ...r } : { ...r, summary }
}
