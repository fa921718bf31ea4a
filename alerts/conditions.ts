// The part of the rules engine that runs on every reading: stepping a piece of equipment's
// rules and saying which conditions changed. It knows nothing of alarms. The engine
// (engine.ts) calls it in its own thread and applies what it reports to the alarm points;
// the rules thread (thread/) calls the same functions and sends the reports over.
import { ACTIVATED, CLEARED, NONE, stepRule, type CompiledRule, type RuleState, type Values } from './evaluate/rule.ts'
import { markStale, touchStale } from './evaluate/stale.ts'
import { STALE } from './evaluate/leaf.ts'

/** One concrete rule's evaluation: its compiled condition and state. */
export interface Evaluated {
  readonly c: CompiledRule
  state: RuleState
  /**
   * The sensor of a rule that is a single stale-sensor leaf, '' for any other rule: while its
   * condition is clear, a reading only moves "last heard". Kept here, not looked up through
   * the compiled rule, because half of a stand's rules are these and each hop is a cache miss.
   */
  readonly staleSensor: string
}

/** Evaluated.staleSensor for a compiled rule. */
export const staleSensorOf = (c: CompiledRule): string => (c.single && c.first.kind === STALE ? c.first.sensor : '')

export interface ConditionSink<S extends Evaluated> {
  /** The condition went active (after its on-delay) or back to normal; `slot.state` holds clock, value and limit. */
  changed(slot: S, r: typeof ACTIVATED | typeof CLEARED): void
  /** A reading left the condition as it was; an active alarm follows `slot.state`'s value and limit. */
  unchanged(slot: S, ts: number): void
}

/** One equipment message over that equipment's rules, in order; returns whether any condition changed. */
export function evaluateReading<S extends Evaluated>(slots: readonly S[], ts: number, values: Values, sink: ConditionSink<S>): boolean {
  let any = false
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]
    const s = slot.state
    // Most of a piece of equipment's rules are "no data for a while": while clear, a
    // reading of the sensor only moves its clock; the timer judges silence.
    if (slot.staleSensor !== '' && !s.raw && !s.active && touchStale(slot.staleSensor, s, ts, values)) continue
    const r = stepRule(slot.c, s, ts, values)
    if (r !== NONE) {
      sink.changed(slot, r)
      any = true
    } else sink.unchanged(slot, ts)
  }
  return any
}

/** A death certificate: the equipment's stale rules see their sensors silent as of `at`. */
export function evaluateDeath<S extends Evaluated>(slots: readonly S[], at: number, sink: ConditionSink<S>): boolean {
  let any = false
  for (const slot of slots) {
    if (!markStale(slot.c, slot.state, at)) continue
    const r = stepRule(slot.c, slot.state, at, null)
    if (r !== NONE) {
      sink.changed(slot, r)
      any = true
    }
  }
  return any
}

/** The timer's part of one rule: stale sensors and pending on- / off-delays. */
export function evaluateTimer<S extends Evaluated>(slot: S, now: number, sink: ConditionSink<S>): boolean {
  const s = slot.state
  if (!slot.c.tickSensitive && s.raw === s.active) return false
  const r = stepRule(slot.c, s, now, null)
  if (r === NONE) return false
  sink.changed(slot, r)
  return true
}

/** A fresh evaluation state that starts where the alarm is, so an active alarm can clear. */
export function seed(state: RuleState, active: boolean, at: number): void {
  state.active = state.raw = active
  state.since = at
}

export { ACTIVATED, CLEARED }
