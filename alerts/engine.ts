// The rules engine: every rule's evaluation state and alarm point, fed by telemetry and a
// timer. No I/O: it returns the alarm changes, and the shell around it stores, publishes and
// notifies. `onTelemetry` is the hot path (every MQTT message): rules are indexed by
// (line, equipment), evaluation works in place, and a message that changes nothing
// allocates nothing and returns a shared empty array.
import { errors } from '../core/errors.ts'
import { ACTIVATED, CLEARED, evaluateDeath, evaluateReading, evaluateTimer, seed as seedState, type ConditionSink } from './conditions.ts'
import type { Values } from './evaluate/rule.ts'
import * as lc from './lifecycle.ts'
import type { Alarm, AlarmPoint, Step, Transition } from './lifecycle.ts'
import type { Rule } from './rules/types.ts'
import { buildIndex, newSlot, Slot, type Index } from './slots.ts'

export interface AlarmChange {
  /** The alarm after the transition. */
  readonly alarm: Alarm
  readonly transition: Transition
}

export interface EngineOptions {
  /** Occurrence ids (e.g. a ULID); default `${line}.${equipment}.${sensor}.${rule}.${ts}`. */
  readonly newId?: (point: AlarmPoint, at: number) => string
  /** Longest shelving allowed (ISA-18.2: shelving is always time-limited); default 24 h. */
  readonly maxShelveMs?: number
}

export interface AlarmFilter {
  /** Include alarm points in state normal (default: only those that are not). */
  readonly all?: boolean
  readonly active?: boolean
  readonly line?: string
  readonly equipment?: string
}

const NO_CHANGES: readonly AlarmChange[] = Object.freeze([])

/** applyConditions' records: RECORD numbers each, [kind, rule, …]. */
export const RECORD = 6
/** [CHANGE, rule, ACTIVATED | CLEARED, clock, value, limit] */
export const CHANGE = 1
/** [OBSERVE, rule, value, limit, at, 0]: a reading of a rule whose condition stays active */
export const OBSERVE = 2
/** [END, 0, 0, 0, 0, 0]: the end of one message's (or tick's) changes */
export const END = 3

export class AlarmEngine {
  private slots: Slot[] = []
  private index: Index = new Map()
  private byKey = new Map<string, Slot>()
  private byId = new Map<string, Slot>()
  /** Suppressors whose condition changed during the current message, and when; reused, never reallocated. */
  private readonly changedSuppressors: Slot[] = []
  private readonly changedAt: number[] = []
  /** The changes of the message being evaluated. */
  private out: AlarmChange[] | undefined
  /** What condition evaluation reports, applied to the alarms. */
  private readonly sink: ConditionSink<Slot> = {
    changed: (slot, r) => {
      const s = slot.state
      this.conditionChanged(slot, r, s.clock, num(s.value), num(s.limit), (this.out ??= []))
    },
    unchanged: (slot, ts) => slot.observe(num(slot.state.value), num(slot.state.limit), ts),
  }
  private readonly newId: (p: AlarmPoint, at: number) => string
  private readonly maxShelveMs: number

  constructor(rules: readonly Rule[], options: EngineOptions = {}, now = 0) {
    this.newId = options.newId ?? lc.defaultAlarmId
    this.maxShelveMs = options.maxShelveMs ?? 86_400_000
    this.replace(rules, now)
  }

  /** One equipment message. */
  onTelemetry(line: string, equipment: string, ts: number, values: Values): readonly AlarmChange[] {
    const slots = this.index.get(line)?.get(equipment)
    if (slots === undefined) return NO_CHANGES
    evaluateReading(slots, ts, values, this.sink)
    return this.drain()
  }

  /** A death certificate: `equipment`'s data is stale as of `at`; its stale rules need not wait for their timeout. */
  markStale(line: string, equipment: string, at: number): readonly AlarmChange[] {
    const slots = this.index.get(line)?.get(equipment)
    if (slots === undefined) return NO_CHANGES
    evaluateDeath(slots, at, this.sink)
    return this.drain()
  }

  /**
   * Timers: stale sensors and pending on/off-delays (unless `conditions` is false: they are
   * evaluated on the rules thread), shelving expiry, re-alarm. Call every second or so.
   */
  tick(now: number, conditions = true): readonly AlarmChange[] {
    for (const slot of this.slots) {
      if (conditions) evaluateTimer(slot, now, this.sink)
      const a = slot.alarm
      if (a.shelf !== undefined && now >= a.shelf.until) this.push(slot, lc.expireShelf(a, now), (this.out ??= []))
      if (a.reAlarmAt !== undefined && now >= a.reAlarmAt) this.push(slot, lc.reAlarm(slot.alarm, now), (this.out ??= []))
    }
    return this.drain()
  }

  /**
   * Conditions evaluated on the rules thread (thread/), as RECORD-long records (above):
   * changes and readings of active alarms, each message's group closed by an END. `keys[i]`
   * names the rule the thread calls `i`; a rule reloaded away since is skipped.
   */
  applyConditions(keys: readonly string[], records: Float64Array): readonly AlarmChange[] {
    for (let i = 0; i < records.length; i += RECORD) {
      const kind = records[i]
      if (kind === END) {
        if (this.out) this.releaseSuppressions(this.out)
        continue
      }
      const slot = this.byKey.get(keys[records[i + 1]])
      if (!slot) continue
      if (kind === CHANGE) this.conditionChanged(slot, records[i + 2], records[i + 3], num(records[i + 4]), num(records[i + 5]), (this.out ??= []))
      else slot.observe(num(records[i + 2]), num(records[i + 3]), records[i + 4])
    }
    const out = this.out
    this.out = undefined
    return out ?? NO_CHANGES
  }

  /**
   * Hot reload: rules whose condition and delays are unchanged keep their evaluation state;
   * changed ones start afresh but keep their alarm (an active alarm clears through the new
   * rule's evaluation); alarms of removed rules are retired.
   */
  replace(rules: readonly Rule[], now: number): readonly AlarmChange[] {
    const out: AlarmChange[] = []
    const next = new Map<string, Slot>()
    for (const rule of rules) {
      const old = this.byKey.get(rule.key)
      const slot = newSlot(rule, now)
      if (old) {
        slot.alarm = old.alarm.priority === rule.priority && old.alarm.area === rule.area ? old.alarm : Object.freeze({ ...old.alarm, priority: rule.priority, area: rule.area })
        if (old.fingerprint === slot.fingerprint) slot.state = old.state
        else seedState(slot.state, slot.alarm.active, now)
      }
      next.set(rule.key, slot)
    }
    for (const [key, old] of this.byKey) if (!next.has(key)) this.push(old, lc.retire(old.alarm, now), out)
    this.slots = [...next.values()]
    this.byKey = next
    this.byId = new Map(this.slots.filter((s) => s.alarm.id).map((s) => [s.alarm.id, s]))
    this.index = buildIndex(this.slots)
    // The timer visits suppressors before the rules they suppress, as readings do.
    this.slots = [...this.index.values()].flatMap((m) => [...m.values()].flat())
    return out
  }

  /** After a restart: alarms as stored; their evaluation resumes from the alarm's condition. */
  restore(alarms: readonly Alarm[]): void {
    for (const a of alarms) {
      const slot = this.byKey.get(a.key)
      if (!slot) continue
      slot.alarm = Object.freeze({ ...a, priority: slot.rule.priority, area: slot.rule.area })
      if (a.id) this.byId.set(a.id, slot)
      seedState(slot.state, slot.alarm.active, a.activeSince ?? a.updatedAt)
    }
  }

  ack(ref: string, c: { by: string; at: number }): readonly AlarmChange[] {
    const slot = this.find(ref)
    return this.command(slot, lc.ack(slot.alarm, required(c.by, 'by'), c.at, slot.rule.reAlarmMs))
  }

  shelve(ref: string, c: { until: number; reason: string; by: string; at: number }): readonly AlarmChange[] {
    const slot = this.find(ref)
    if (!(c.until > c.at)) throw errors.badRequest('shelving needs an expiry later than now')
    if (c.until - c.at > this.maxShelveMs) throw errors.badRequest(`shelving is limited to ${this.maxShelveMs / 3_600_000} h; take the alarm out of service instead`)
    return this.command(slot, lc.shelve(slot.alarm, { until: c.until, reason: required(c.reason, 'reason'), by: required(c.by, 'by'), at: c.at }))
  }

  unshelve(ref: string, c: { by: string; at: number }): readonly AlarmChange[] {
    const slot = this.find(ref)
    return this.command(slot, lc.unshelve(slot.alarm, required(c.by, 'by'), c.at))
  }

  suppress(ref: string, c: { reason: string; by: string; at: number }): readonly AlarmChange[] {
    const slot = this.find(ref)
    return this.command(slot, lc.suppress(slot.alarm, { reason: required(c.reason, 'reason'), by: required(c.by, 'by'), at: c.at }))
  }

  unsuppress(ref: string, c: { by: string; at: number }): readonly AlarmChange[] {
    const slot = this.find(ref)
    return this.command(slot, lc.unsuppress(slot.alarm, c.at, required(c.by, 'by')))
  }

  removeFromService(ref: string, c: { reason: string; by: string; at: number }): readonly AlarmChange[] {
    const slot = this.find(ref)
    return this.command(slot, lc.removeFromService(slot.alarm, { reason: required(c.reason, 'reason'), by: required(c.by, 'by'), at: c.at }))
  }

  returnToService(ref: string, c: { by: string; at: number }): readonly AlarmChange[] {
    const slot = this.find(ref)
    return this.command(slot, lc.returnToService(slot.alarm, required(c.by, 'by'), c.at))
  }

  /** By occurrence id or by alarm key (`line/equipment/sensor/rule`). */
  get(ref: string): Alarm | undefined {
    return this.lookup(ref)?.alarm
  }

  alarms(filter: AlarmFilter = {}): Alarm[] {
    const out: Alarm[] = []
    for (const { alarm: a } of this.slots) {
      if (!filter.all && a.state === 'normal') continue
      if (filter.active !== undefined && a.active !== filter.active) continue
      if ((filter.line && a.line !== filter.line) || (filter.equipment && a.equipment !== filter.equipment)) continue
      out.push(a)
    }
    return out
  }

  /** The rule behind an alarm (its description says what to check). */
  ruleOf(ref: string): Rule | undefined {
    return this.lookup(ref)?.rule
  }

  rules(): readonly Rule[] {
    return this.slots.map((s) => s.rule)
  }

  private lookup(ref: string): Slot | undefined {
    const byId = this.byId.get(ref)
    return byId && byId.alarm.id === ref ? byId : this.byKey.get(ref)
  }

  private find(ref: string): Slot {
    const slot = this.lookup(ref)
    if (!slot) throw errors.notFound(`no alarm "${ref}"`)
    return slot
  }

  private command(slot: Slot, step: Step): readonly AlarmChange[] {
    const out: AlarmChange[] = []
    this.push(slot, step, out)
    if (step.transition) this.designedSuppression(slot, step.transition.at, out)
    return out.length ? out : NO_CHANGES
  }

  private push(slot: Slot, step: Step, out: AlarmChange[]): void {
    if (step.alarm.id !== slot.alarm.id) {
      // A new occurrence: the closed one's id no longer names anything the engine can change.
      this.byId.delete(slot.alarm.id)
      this.byId.set(step.alarm.id, slot)
    }
    slot.alarm = step.alarm
    if (step.transition) out.push({ alarm: step.alarm, transition: step.transition })
  }

  private drain(): readonly AlarmChange[] {
    const out = this.out
    if (!out) return NO_CHANGES
    this.out = undefined
    this.releaseSuppressions(out)
    return out
  }

  private conditionChanged(slot: Slot, r: number, clock: number, value: number | undefined, limit: number | undefined, out: AlarmChange[]): void {
    const reading = { at: clock, value, limit }
    if (r === ACTIVATED) {
      // ISA-18.2 designed suppression: a suppressor that is already active hides this activation.
      if (!slot.alarm.suppression && slot.suppressors.some((p) => p.alarm.active)) this.push(slot, lc.suppress(slot.alarm, designReason(slot, clock)), out)
      this.push(slot, lc.activate(slot.alarm, reading, this.newId(slot.alarm, clock)), out)
    } else if (r === CLEARED) this.push(slot, lc.clear(slot.alarm, reading), out)
    if (slot.dependents.length) {
      this.changedSuppressors.push(slot)
      this.changedAt.push(clock)
    }
  }

  /**
   * After a whole message (or tick): a dependent that clears in the same message as its
   * suppressor goes suppressed → normal, not through a moment of re-annunciation.
   */
  private releaseSuppressions(out: AlarmChange[]): void {
    const list = this.changedSuppressors
    for (let i = 0; i < list.length; i++) this.designedSuppression(list[i], this.changedAt[i], out)
    list.length = 0
    this.changedAt.length = 0
  }

  /** Suppresses (or releases) the open alarms that `slot` suppresses by design. */
  private designedSuppression(slot: Slot, at: number, out: AlarmChange[]): void {
    for (const d of slot.dependents) {
      const hide = d.suppressors.some((p) => p.alarm.active)
      if (hide && !d.alarm.suppression && d.alarm.state !== 'normal') this.push(d, lc.suppress(d.alarm, designReason(d, at)), out)
      else if (!hide && d.alarm.suppression?.design) this.push(d, lc.unsuppress(d.alarm, at), out)
    }
  }
}

const num = (x: number) => (x === x ? x : undefined)

function designReason(slot: Slot, at: number) {
  const by = slot.suppressors.filter((p) => p.alarm.active).map((p) => p.rule.id)
  return { reason: `by design: ${by.join(', ')} active`, at, design: true }
}

function required(v: string, name: string): string {
  if (typeof v !== 'string' || !v.trim()) throw errors.badRequest(`${name} is required`)
  return v
}

export function createEngine(rules: readonly Rule[], options?: EngineOptions, now = 0): AlarmEngine {
  return new AlarmEngine(rules, options, now)
}
