// A death certificate (Sparkplug B NDEATH / DDEATH) says at once what a stale rule would
// otherwise learn only after its timeout: the equipment's data is stale. Each stale leaf of a
// rule is set as if its sensor had last been heard `for` before the death, so the next step
// finds the condition true; on- and off-delays still apply as the rule says. The next reading
// (after a rebirth) moves "last heard" forward and clears it the ordinary way.
import { STALE } from './leaf.ts'
import type { CompiledRule, RuleState } from './rule.ts'

/** In place; returns whether the rule has a stale leaf (and so must be stepped at `at`). */
export function markStale(c: CompiledRule, s: RuleState, at: number): boolean {
  let any = false
  for (let i = 0; i < c.leaves.length; i++) {
    const leaf = c.leaves[i]
    if (leaf.kind !== STALE) continue
    const ls = s.leaves[i]
    const heard = at - leaf.forMs
    if (!(ls.a <= heard)) ls.a = heard // NaN (never heard) too
    any = true
  }
  return any
}

/**
 * A reading that carries the sensor of a rule of one stale leaf whose condition is clear:
 * such a reading cannot make the data staler, so only "last heard" and the rule's clock move
 * (what stepRule would do). Returns false — step the rule fully — for a reading without the
 * sensor (the silence may have lasted long enough) or before the sensor was ever heard.
 */
export function touchStale(sensor: string, s: RuleState, t: number, values: Readonly<Record<string, number>>): boolean {
  const ls = s.first
  if (values[sensor] === undefined || ls.a !== ls.a) return false
  if (t > ls.a) ls.a = t
  if (t > s.clock) s.clock = t
  return true
}
