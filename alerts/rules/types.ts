// Concrete alarm rules: what config/rules.yaml resolves to, one rule per (line, equipment,
// sensor, rule id). Everything here is plain frozen data: durations in ms, every leaf of a
// condition names its sensor and carries its own deadband, so evaluation never looks back
// at the YAML, the templates or the plant model.

export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const
export type Priority = (typeof PRIORITIES)[number]

/** Alarm above / below a limit; `outside` is a symmetric band such as ±10 µm of gauge. */
export interface AboveCondition {
  readonly kind: 'above'
  readonly sensor: string
  readonly limit: number
  /** ISA-18.2 deadband: clears only once the value is back below limit − deadband. */
  readonly deadband: number
}

export interface BelowCondition {
  readonly kind: 'below'
  readonly sensor: string
  readonly limit: number
  readonly deadband: number
}

export interface OutsideCondition {
  readonly kind: 'outside'
  readonly sensor: string
  readonly low: number
  readonly high: number
  readonly deadband: number
}

/** Rate of change over a sliding window, expressed per `perMs` (per second, per minute …). */
export interface RateCondition {
  readonly kind: 'rate'
  readonly sensor: string
  /** rise: value climbs faster than limit; fall: drops faster; change: either way. */
  readonly direction: 'rise' | 'fall' | 'change'
  readonly limit: number
  readonly perMs: number
  readonly windowMs: number
  /** In the rate's own units. */
  readonly deadband: number
}

/** A frozen transmitter: the value has not moved beyond ±epsilon for `forMs`. */
export interface StuckCondition {
  readonly kind: 'stuck'
  readonly sensor: string
  readonly forMs: number
  readonly epsilon: number
}

/** No reading of the sensor for `forMs`; judged on readings of the equipment and on ticks. */
export interface StaleCondition {
  readonly kind: 'stale'
  readonly sensor: string
  readonly forMs: number
}

/** Deviation from the sensor's own recent behaviour: EWMA mean/variance z-score. */
export interface DeviationCondition {
  readonly kind: 'deviation'
  readonly sensor: string
  readonly z: number
  readonly side: 'high' | 'low' | 'both'
  /** Weight of a reading halves every halfLifeMs: the baseline is "the last few half-lives". */
  readonly halfLifeMs: number
  /** No verdict until the baseline has seen this much data. */
  readonly warmupMs: number
  /** Floor for σ (sensor units), so a very quiet signal does not alarm on its first wiggle. */
  readonly minSigma: number
  /** In σ. */
  readonly deadband: number
}

export interface Combination {
  readonly kind: 'all' | 'any'
  readonly of: readonly Condition[]
}

export type Leaf = AboveCondition | BelowCondition | OutsideCondition | RateCondition | StuckCondition | StaleCondition | DeviationCondition
export type Condition = Leaf | Combination

export interface Rule {
  /** `${line}/${equipment}/${sensor}/${id}`: the alarm point (ISA-18.2 "alarm"), one per key. */
  readonly key: string
  readonly id: string
  readonly line: string
  readonly equipment: string
  /** The alarm's sensor: the one named in the alarm, its value is the alarm's value. */
  readonly sensor: string
  readonly area?: string
  /** What it means and what to check: shown to the worker. */
  readonly description: string
  readonly priority: Priority
  readonly onDelayMs: number
  readonly offDelayMs: number
  /** Re-annunciate an acknowledged alarm still active after this long; 0 = never. */
  readonly reAlarmMs: number
  /** Rule ids on the same equipment whose active alarm suppresses this one (ISA-18.2 designed suppression). */
  readonly suppressedBy: readonly string[]
  readonly condition: Condition
  /** Where the rule came from in rules.yaml, for messages to the engineer. */
  readonly origin: string
}

export const ruleKey = (line: string, equipment: string, sensor: string, id: string) => `${line}/${equipment}/${sensor}/${id}`

/** (A `kind` that is itself a union does not narrow through `||`, hence a guard.) */
export const isCombination = <T extends { kind: string }>(c: T): c is Extract<T, { kind: 'all' | 'any' }> => c.kind === 'all' || c.kind === 'any'

/** Every sensor a condition reads, in order of first appearance. */
export function conditionSensors(c: Condition, into: string[] = []): string[] {
  if (isCombination(c)) for (const sub of c.of) conditionSensors(sub, into)
  else if (!into.includes(c.sensor)) into.push(c.sensor)
  return into
}
