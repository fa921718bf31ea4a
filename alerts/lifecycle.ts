// The ISA-18.2 alarm state machine (the standard's alarm state transition diagram, A–G),
// pure: every function takes an alarm and returns the next one with the transition record
// the shell stores and publishes. An alarm here is an alarm *point* (one per line, equipment,
// sensor, rule); `id` names its current occurrence, from first activation back to normal.
//
// The process side (active / acknowledged) is kept underneath the three overlay states —
// shelved, suppressed by design, out of service — so that leaving them lands where the
// alarm would be now: the ISA-18.2 diagram returns E, F and G to A (normal) when the
// condition is clear and to B (unacknowledged, annunciated again) when it is active.
import type { Priority } from './rules/types.ts'

export const ALARM_STATES = ['normal', 'unacknowledged', 'acknowledged', 'rtn_unacknowledged', 'shelved', 'suppressed', 'out_of_service'] as const
export type AlarmState = (typeof ALARM_STATES)[number]
export type Action = 'activate' | 'clear' | 'ack' | 'shelve' | 'unshelve' | 'expire' | 'suppress' | 'unsuppress' | 'remove' | 'restore' | 'realarm' | 'retire'

export interface AlarmPoint {
  readonly key: string
  readonly line: string
  readonly equipment: string
  readonly sensor: string
  readonly rule: string
  readonly priority: Priority
  /** The equipment's area (routing: who is on duty there). */
  readonly area?: string
}

export interface Alarm extends AlarmPoint {
  /** The current (or last) occurrence; '' before the first. */
  readonly id: string
  readonly state: AlarmState
  /** The process condition (after on/off-delays), also while shelved or suppressed. */
  readonly active: boolean
  readonly acknowledged: boolean
  /** First activation of this occurrence. */
  readonly raisedAt?: number
  readonly activeSince?: number
  readonly clearedAt?: number
  readonly value?: number
  readonly limit?: number
  /** The worst value of this occurrence, on the side the limit was crossed. */
  readonly peak?: number
  /** Activations in this occurrence: a repeat updates the alarm instead of raising a new one. */
  readonly activations: number
  readonly ackedBy?: string
  readonly ackedAt?: number
  readonly reAlarmAt?: number
  readonly shelf?: { readonly until: number; readonly reason: string; readonly by: string; readonly at: number }
  readonly suppression?: { readonly reason: string; readonly at: number; readonly by?: string; readonly design: boolean }
  readonly outOfService?: { readonly reason: string; readonly by: string; readonly at: number }
  readonly updatedAt: number
}

/** One stored and published record per transition. */
export interface Transition extends AlarmPoint {
  readonly alarmId: string
  readonly action: Action
  readonly from: AlarmState
  readonly to: AlarmState
  readonly at: number
  readonly by?: string
  readonly reason?: string
  readonly value?: number
  readonly limit?: number
}

export interface Step {
  readonly alarm: Alarm
  /** Absent when the command changed nothing (it is idempotent). */
  readonly transition?: Transition
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

export function newAlarm(point: AlarmPoint, at: number): Alarm {
  return Object.freeze({ ...point, id: '', state: 'normal', active: false, acknowledged: true, activations: 0, updatedAt: at })
}

export const defaultAlarmId = (a: AlarmPoint, at: number) => `${a.line}.${a.equipment}.${a.sensor}.${a.rule}.${at}`

const inOverlay = (a: Omit<Alarm, 'state'>) => a.outOfService !== undefined || a.suppression !== undefined || a.shelf !== undefined

function derive(a: Omit<Alarm, 'state'>): AlarmState {
  if (a.outOfService) return 'out_of_service' // ISA-18.2 state G
  if (a.suppression) return 'suppressed' // F
  if (a.shelf) return 'shelved' // E
  if (a.active) return a.acknowledged ? 'acknowledged' : 'unacknowledged' // C, B
  return a.acknowledged ? 'normal' : 'rtn_unacknowledged' // A, D
}

function apply(a: Alarm, patch: Partial<Mutable<Alarm>>, action: Action, at: number, meta: { by?: string; reason?: string } = {}): Step {
  const next: Mutable<Alarm> = { ...a, ...patch, updatedAt: at }
  // Leaving the last overlay: back to normal, or annunciated again if the condition is active.
  if (inOverlay(a) && !inOverlay(next)) {
    next.acknowledged = !next.active
    next.reAlarmAt = undefined
  }
  next.state = derive(next)
  const { key, line, equipment, sensor, rule, priority, area } = next
  const transition: Transition = { key, line, equipment, sensor, rule, priority, area, alarmId: next.id, action, from: a.state, to: next.state, at, ...meta, value: next.value, limit: next.limit }
  return { alarm: Object.freeze(next), transition: Object.freeze(transition) }
}

/** The worse of two values on the side the value crossed to (`sense` > 0: higher is worse). */
export const worse = (sense: number, a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : sense > 0 ? Math.max(a, b) : sense < 0 ? Math.min(a, b) : b

/** Which side of the limit is worse: the side the value crossed to. */
export const senseOf = (value: number | undefined, limit: number | undefined) => (value === undefined || limit === undefined ? 0 : value >= limit ? 1 : -1)

export interface Reading {
  readonly at: number
  readonly value?: number
  readonly limit?: number
}

/** The condition went active. A repeat (from rtn_unacknowledged) updates this occurrence. */
export function activate(a: Alarm, r: Reading, id: string = defaultAlarmId(a, r.at)): Step {
  if (a.active) return { alarm: observe(a, r.value, r.limit, r.at) }
  const opening = a.acknowledged // the last occurrence was closed (back to normal)
  const sense = r.value === undefined || r.limit === undefined ? 0 : r.value >= r.limit ? 1 : -1
  return apply(
    a,
    {
      id: opening ? id : a.id,
      active: true,
      acknowledged: false,
      raisedAt: opening ? r.at : a.raisedAt,
      activeSince: r.at,
      clearedAt: undefined,
      value: r.value,
      limit: r.limit,
      peak: opening ? r.value : worse(sense, a.peak, r.value),
      activations: opening ? 1 : a.activations + 1,
      ackedBy: opening ? undefined : a.ackedBy,
      ackedAt: opening ? undefined : a.ackedAt,
      reAlarmAt: undefined,
    },
    'activate',
    r.at,
  )
}

/** A new value while active: no transition, only value and peak (returns `a` itself if unchanged). */
export function observe(a: Alarm, value: number | undefined, limit: number | undefined, at: number): Alarm {
  if (!a.active || (value === a.value && limit === a.limit)) return a
  const peak = worse(senseOf(a.value, a.limit), a.peak, value)
  return Object.freeze({ ...a, value, limit, peak, updatedAt: at })
}

export function clear(a: Alarm, r: Reading): Step {
  if (!a.active) return { alarm: a }
  return apply(a, { active: false, clearedAt: r.at, reAlarmAt: undefined, value: r.value ?? a.value, limit: r.limit ?? a.limit }, 'clear', r.at)
}

/** ISA-18.2 acknowledgement: an active alarm B → C, a returned one D → A. */
export function ack(a: Alarm, by: string, at: number, reAlarmMs = 0): Step {
  if (a.acknowledged || inOverlay(a)) return { alarm: a }
  const reAlarmAt = a.active && reAlarmMs > 0 ? at + reAlarmMs : undefined
  return apply(a, { acknowledged: true, ackedBy: by, ackedAt: at, reAlarmAt }, 'ack', at, { by })
}

/** ISA-18.2 re-alarming: an acknowledged alarm still active past its time is annunciated again (C → B). */
export function reAlarm(a: Alarm, now: number): Step {
  if (a.state !== 'acknowledged' || a.reAlarmAt === undefined || now < a.reAlarmAt) return { alarm: a }
  return apply(a, { acknowledged: false, reAlarmAt: undefined }, 'realarm', now, { reason: 'still active after acknowledgement' })
}

/** ISA-18.2 shelving (state E): always with an expiry and a reason. Shelving again moves the expiry. */
export function shelve(a: Alarm, s: { until: number; reason: string; by: string; at: number }): Step {
  return apply(a, { shelf: Object.freeze({ ...s }) }, 'shelve', s.at, { by: s.by, reason: s.reason })
}

export function unshelve(a: Alarm, by: string, at: number): Step {
  if (!a.shelf) return { alarm: a }
  return apply(a, { shelf: undefined }, 'unshelve', at, { by })
}

/** The shelf's expiry passed: the alarm returns to the state it would have now. */
export function expireShelf(a: Alarm, now: number): Step {
  if (!a.shelf || now < a.shelf.until) return { alarm: a }
  return apply(a, { shelf: undefined }, 'expire', now, { reason: 'shelving expired' })
}

/** ISA-18.2 suppressed by design (state F): by logic (`design`) or by a person. */
export function suppress(a: Alarm, s: { reason: string; at: number; by?: string; design?: boolean }): Step {
  if (a.suppression) return { alarm: a }
  return apply(a, { suppression: Object.freeze({ reason: s.reason, at: s.at, by: s.by, design: s.design ?? false }) }, 'suppress', s.at, { by: s.by, reason: s.reason })
}

export function unsuppress(a: Alarm, at: number, by?: string): Step {
  if (!a.suppression) return { alarm: a }
  return apply(a, { suppression: undefined }, 'unsuppress', at, { by })
}

/** ISA-18.2 out of service (state G): taken out for maintenance, by a person, with a reason. */
export function removeFromService(a: Alarm, s: { reason: string; by: string; at: number }): Step {
  if (a.outOfService) return { alarm: a }
  return apply(a, { outOfService: Object.freeze({ ...s }) }, 'remove', s.at, { by: s.by, reason: s.reason })
}

export function returnToService(a: Alarm, by: string, at: number): Step {
  if (!a.outOfService) return { alarm: a }
  return apply(a, { outOfService: undefined }, 'restore', at, { by })
}

/** The rule was deleted from rules.yaml (ISA-18.2 management of change): close whatever was open. */
export function retire(a: Alarm, at: number, reason = 'rule removed'): Step {
  if (a.state === 'normal') return { alarm: a }
  return apply(a, { active: false, acknowledged: true, shelf: undefined, suppression: undefined, outOfService: undefined, reAlarmAt: undefined }, 'retire', at, { reason })
}
