// The engine's per-rule bookkeeping: a slot holds one concrete rule, its evaluation state and
// its alarm point, plus the ISA-18.2 designed-suppression links between rules of the same
// equipment. Building the index is done on load and reload, never per reading.
import { staleSensorOf, type Evaluated } from './conditions.ts'
import { compileRule, newRuleState, type CompiledRule, type RuleState } from './evaluate/rule.ts'
import { newAlarm, senseOf, worse, type Alarm } from './lifecycle.ts'
import type { Rule } from './rules/types.ts'

export class Slot implements Evaluated {
  /** Rules whose active alarm suppresses this one (its `suppressedBy`). */
  suppressors: Slot[] = []
  /** Rules this one suppresses while active. */
  dependents: Slot[] = []
  readonly staleSensor: string
  private current: Alarm
  // An active alarm's newest value, limit and peak (lifecycle.observe), kept here and put into
  // a new frozen Alarm only when somebody reads `alarm`: a reading of a sensor in alarm
  // changes a few numbers instead of copying the whole record, every message.
  private seen = false
  private value: number | undefined = undefined
  private limit: number | undefined = undefined
  private peak: number | undefined = undefined
  private at = 0

  constructor(
    public c: CompiledRule,
    public state: RuleState,
    alarm: Alarm,
    /** What the evaluation state depends on: a reload keeps the state while this is unchanged. */
    public readonly fingerprint: string,
  ) {
    this.current = alarm
    this.staleSensor = staleSensorOf(c)
  }

  get rule(): Rule {
    return this.c.rule
  }

  get alarm(): Alarm {
    if (this.seen) {
      this.seen = false
      this.current = Object.freeze({ ...this.current, value: this.value, limit: this.limit, peak: this.peak, updatedAt: this.at })
    }
    return this.current
  }

  set alarm(a: Alarm) {
    this.seen = false
    this.current = a
  }

  /** lifecycle.observe, in place: the same value, limit and peak, without a copy per reading. */
  observe(value: number | undefined, limit: number | undefined, at: number): void {
    const a = this.current
    if (!a.active) return
    const v = this.seen ? this.value : a.value
    const l = this.seen ? this.limit : a.limit
    if (value === v && limit === l) return
    this.peak = worse(senseOf(v, l), this.seen ? this.peak : a.peak, value)
    this.value = value
    this.limit = limit
    this.at = at
    this.seen = true
  }
}

export const fingerprint = (r: Rule) => JSON.stringify([r.condition, r.onDelayMs, r.offDelayMs])

export function newSlot(rule: Rule, at: number): Slot {
  const c = compileRule(rule)
  const { key, line, equipment, sensor, id, priority, area } = rule
  return new Slot(c, newRuleState(c), newAlarm({ key, line, equipment, sensor, rule: id, priority, area }, at), fingerprint(rule))
}

export type Index = Map<string, Map<string, Slot[]>>

/**
 * Slots per (line, equipment), suppressors before the rules they suppress, so that within one
 * reading a zone D alarm is up before the zone C alarm it hides is considered.
 */
export function buildIndex(slots: readonly Slot[]): Index {
  const groups = new Map<string, Slot[]>()
  for (const s of slots) {
    const g = `${s.rule.line}\u0000${s.rule.equipment}`
    groups.set(g, [...(groups.get(g) ?? []), s])
  }
  const index: Index = new Map()
  for (const group of groups.values()) {
    for (const s of group) {
      // A suppressor expanded per sensor (`sensors:`) acts through its expansion on the same
      // sensor when there is one: a frozen tension transmitter hides the tension rules only.
      const named = group.filter((o) => o !== s && s.rule.suppressedBy.includes(o.rule.id))
      s.suppressors = named.filter((o) => o.rule.sensor === s.rule.sensor || !named.some((x) => x.rule.id === o.rule.id && x.rule.sensor === s.rule.sensor))
    }
    for (const s of group) s.dependents = group.filter((o) => o.suppressors.includes(s))
    const ordered: Slot[] = []
    const seen = new Set<Slot>()
    const visit = (s: Slot) => {
      if (seen.has(s)) return // a cycle in suppressedBy only loses the ordering, nothing else
      seen.add(s)
      for (const p of s.suppressors) visit(p)
      ordered.push(s)
    }
    group.forEach(visit)
    const { line, equipment } = group[0].rule
    if (!index.has(line)) index.set(line, new Map())
    index.get(line)!.set(equipment, ordered)
  }
  return index
}
