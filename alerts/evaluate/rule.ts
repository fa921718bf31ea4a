// A rule's evaluation: leaves (with deadband) → AND/OR tree → on-delay / off-delay.
// `evaluateRule(rule, input, state) → { state, events }` is the pure form (it never touches
// the state it is given); `stepRule` is the same code working in place, which the engine
// uses on the hot path so that a reading allocates nothing.
import { isCombination, type Condition, type Rule } from '../rules/types.ts'
import { LeafSpec, LeafState, STALE, stepLeaf, type Values } from './leaf.ts'

export type { Values } from './leaf.ts'

/** A reading (one equipment message) or a timer tick. */
export type RuleInput = { readonly ts: number; readonly values: Values } | { readonly now: number }

/** The alarm condition went active (after the on-delay) or returned to normal (after the off-delay). */
export interface ConditionEvent {
  readonly type: 'active' | 'normal'
  /** When it was annunciated: the condition's own start or end plus the delay. */
  readonly ts: number
  /** When the condition itself started or ended. */
  readonly since: number
  /** The alarm sensor's compared quantity (see docs of each kind) and its limit. */
  readonly value?: number
  readonly limit?: number
}

export interface CompiledRule {
  readonly rule: Rule
  readonly leaves: readonly LeafSpec[]
  /** `leaves[0]`, and whether it is the only leaf: most rules are one leaf, stepped without the tree. */
  readonly first: LeafSpec
  readonly single: boolean
  /** Index of the leaf whose value and limit the alarm reports: the first on the rule's sensor. */
  readonly primary: number
  readonly combine: (states: readonly LeafState[]) => boolean
  /** Only rules with a stale leaf change their verdict on a tick. */
  readonly tickSensitive: boolean
  /** The rule's delays, read here on every step rather than from the rule (whose shape varies). */
  readonly onDelayMs: number
  readonly offDelayMs: number
}

export const NONE = 0
export const ACTIVATED = 1
export const CLEARED = 2

export class RuleState {
  /** The combined condition before delays. */
  raw = false
  /** When `raw` last changed. */
  since = NaN
  /** The alarm condition after on/off-delays: what the lifecycle sees. */
  active = false
  /** Newest time seen: delays never run backwards. */
  clock = -Infinity
  value = NaN
  limit = NaN
  /** `leaves[0]`: one load fewer on the hot path, where a rule's objects are mostly cache misses. */
  readonly first: LeafState
  constructor(readonly leaves: LeafState[]) {
    this.first = leaves[0]
  }

  clone(): RuleState {
    const s = new RuleState(this.leaves.map((l) => l.clone()))
    s.raw = this.raw
    s.since = this.since
    s.active = this.active
    s.clock = this.clock
    s.value = this.value
    s.limit = this.limit
    return s
  }
}

function compileTree(c: Condition, leaves: LeafSpec[]): (s: readonly LeafState[]) => boolean {
  if (!isCombination(c)) {
    const i = leaves.push(new LeafSpec(c)) - 1
    return (s) => s[i].on
  }
  const parts = c.of.map((sub) => compileTree(sub, leaves))
  return c.kind === 'all'
    ? (s) => {
        for (let i = 0; i < parts.length; i++) if (!parts[i](s)) return false
        return true
      }
    : (s) => {
        for (let i = 0; i < parts.length; i++) if (parts[i](s)) return true
        return false
      }
}

const compiled = new WeakMap<Rule, CompiledRule>()

export function compileRule(rule: Rule): CompiledRule {
  let c = compiled.get(rule)
  if (!c) {
    const leaves: LeafSpec[] = []
    const combine = compileTree(rule.condition, leaves)
    const primary = Math.max(0, leaves.findIndex((l) => l.sensor === rule.sensor))
    c = { rule, leaves, first: leaves[0], single: leaves.length === 1, primary, combine, tickSensitive: leaves.some((l) => l.kind === STALE), onDelayMs: rule.onDelayMs, offDelayMs: rule.offDelayMs }
    compiled.set(rule, c)
  }
  return c
}

export const newRuleState = (c: CompiledRule) => new RuleState(c.leaves.map((l) => new LeafState(l)))

/** In place: evaluates a reading (`values`) or a tick (`values === null`) at time `t`. */
export function stepRule(c: CompiledRule, s: RuleState, t: number, values: Values | null): typeof NONE | typeof ACTIVATED | typeof CLEARED {
  if (values !== null || c.tickSensitive) {
    let raw: boolean
    let p: LeafState
    if (c.single) {
      p = s.first
      stepLeaf(c.first, p, t, values, false)
      raw = p.on
    } else {
      const leaves = c.leaves
      for (let i = 0; i < leaves.length; i++) stepLeaf(leaves[i], s.leaves[i], t, values, true)
      raw = c.combine(s.leaves)
      p = s.leaves[c.primary]
    }
    s.value = p.value
    s.limit = p.limit
    if (raw !== s.raw) {
      s.raw = raw
      s.since = Math.max(t, s.clock)
    }
  }
  if (t > s.clock) s.clock = t
  const now = s.clock
  // ISA-18.2 on-delay / off-delay: the condition must hold (or stay clear) that long.
  if (!s.active) {
    if (s.raw && now - s.since >= c.onDelayMs) {
      s.active = true
      return ACTIVATED
    }
  } else if (!s.raw && now - s.since >= c.offDelayMs) {
    s.active = false
    return CLEARED
  }
  return NONE
}

const orUndefined = (x: number) => (x === x ? x : undefined)

/** The pure form: returns a new state and the events; `state` is left untouched. */
export function evaluateRule(rule: Rule, input: RuleInput, state?: RuleState): { state: RuleState; events: ConditionEvent[] } {
  const c = compileRule(rule)
  const s = state ? state.clone() : newRuleState(c)
  const t = 'now' in input ? input.now : input.ts
  const r = stepRule(c, s, t, 'now' in input ? null : input.values)
  if (r === NONE) return { state: s, events: [] }
  const event: ConditionEvent = { type: r === ACTIVATED ? 'active' : 'normal', ts: s.clock, since: s.since, value: orUndefined(s.value), limit: orUndefined(s.limit) }
  return { state: s, events: [event] }
}
