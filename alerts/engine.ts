// The rules engine: every rule's evaluation state and alarm point, fed by telemetry and a
// timer. No I/O: it returns the alarm changes, and the shell around it stores, publishes and
// notifies. `onTelemetry` is the hot path (every MQTT message): rules are indexed by
// (line, equipment), evaluation works in place, and a message that changes nothing
// allocates nothing and returns a shared empty array.
import { errors } from '../core/errors.ts'
import { ACTIVATED, CLEARED, NONE, stepRule, type Values } from './evaluate/rule.ts'
import { markStale, touchStale } from './evaluate/stale.ts'
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

export class AlarmEngine {
  private slots: Slot[] = []
  private index: Index = new Map()
  private byKey = new Map<string, Slot>()
  private byId = new Map<string, Slot>()
  /** Suppressors whose condition changed during the current message; reused, never reallocated. */
  private readonly changedSuppressors: Slot[] = []
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
    let out: AlarmChange[] | undefined
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]
      const s = slot.state
      // Most of a piece of equipment's rules are "no data for a while": while clear, a
      // reading of the sensor only moves its clock; the timer (tick) judges silence.
      if (slot.staleOnly && !s.raw && !s.active && touchStale(slot.c, s, ts, values)) continue
      const r = stepRule(slot.c, s, ts, values)
      if (r !== NONE) this.conditionChanged(slot, r, (out ??= []))
      else slot.observe(num(s.value), num(s.limit), ts)
    }
    if (out) this.releaseSuppressions(out)
    return out ?? NO_CHANGES
  }

  /** A death certificate: `equipment`'s data is stale as of `at`; its stale rules need not wait for their timeout. */
  markStale(line: string, equipment: string, at: number): readonly AlarmChange[] {
    const slots = this.index.get(line)?.get(equipment)
    if (slots === undefined) return NO_CHANGES
    let out: AlarmChange[] | undefined
    for (const slot of slots) {
      if (!markStale(slot.c, slot.state, at)) continue
      const r = stepRule(slot.c, slot.state, at, null)
      if (r !== NONE) this.conditionChanged(slot, r, (out ??= []))
    }
    if (out) this.releaseSuppressions(out)
    return out ?? NO_CHANGES
  }

  /** Timers: stale sensors, pending on/off-delays, shelving expiry, re-alarm. Call every second or so. */
  tick(now: number): readonly AlarmChange[] {
    let out: AlarmChange[] | undefined
    for (const slot of this.slots) {
      const s = slot.state
      if (slot.c.tickSensitive || s.raw !== s.active) {
        const r = stepRule(slot.c, s, now, null)
        if (r !== NONE) this.conditionChanged(slot, r, (out ??= []))
      }
      const a = slot.alarm
      if (a.shelf !== undefined && now >= a.shelf.until) this.push(slot, lc.expireShelf(a, now), (out ??= []))
      if (a.reAlarmAt !== undefined && now >= a.reAlarmAt) this.push(slot, lc.reAlarm(slot.alarm, now), (out ??= []))
    }
    if (out) this.releaseSuppressions(out)
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
        else seed(slot, now)
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
      seed(slot, a.activeSince ?? a.updatedAt)
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

  private conditionChanged(slot: Slot, r: number, out: AlarmChange[]): void {
    const s = slot.state
    const reading = { at: s.clock, value: num(s.value), limit: num(s.limit) }
    if (r === ACTIVATED) {
      // ISA-18.2 designed suppression: a suppressor that is already active hides this activation.
      if (!slot.alarm.suppression && slot.suppressors.some((p) => p.alarm.active)) this.push(slot, lc.suppress(slot.alarm, designReason(slot, s.clock)), out)
      this.push(slot, lc.activate(slot.alarm, reading, this.newId(slot.alarm, s.clock)), out)
    } else if (r === CLEARED) this.push(slot, lc.clear(slot.alarm, reading), out)
    if (slot.dependents.length) this.changedSuppressors.push(slot)
  }

  /**
   * After a whole message (or tick): a dependent that clears in the same message as its
   * suppressor goes suppressed → normal, not through a moment of re-annunciation.
   */
  private releaseSuppressions(out: AlarmChange[]): void {
    const list = this.changedSuppressors
    for (let i = 0; i < list.length; i++) this.designedSuppression(list[i], list[i].state.clock, out)
    list.length = 0
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

/** A fresh evaluation state that starts where the alarm is, so an active alarm can clear. */
function seed(slot: Slot, at: number): void {
  slot.state.active = slot.state.raw = slot.alarm.active
  slot.state.since = at
}

export function createEngine(rules: readonly Rule[], options?: EngineOptions, now = 0): AlarmEngine {
  return new AlarmEngine(rules, options, now)
}
