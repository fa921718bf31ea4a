// Helpers for the alerts tests: hand-made rules, the shipped plant model and rules file, and
// a driver that feeds frames and timer ticks to an engine the way the service will.
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { plantFileSchema, resolvePlant, type Plant } from '../../core/plant.ts'
import { AlarmEngine, type AlarmChange } from '../engine.ts'
import { evaluateRule, type ConditionEvent, type RuleInput, type RuleState } from '../evaluate/rule.ts'
import { loadRules } from '../rules/load.ts'
import { conditionSensors, ruleKey, type Condition, type Rule } from '../rules/types.ts'
import type { Frame } from './synthetic.ts'

export function makeRule(condition: Condition, over: Partial<Rule> = {}): Rule {
  const sensor = over.sensor ?? conditionSensors(condition)[0]
  const id = over.id ?? 'r1'
  const line = over.line ?? 'tcm1'
  const equipment = over.equipment ?? 'stand1'
  return Object.freeze({
    key: ruleKey(line, equipment, sensor, id),
    id,
    line,
    equipment,
    sensor,
    description: 'test rule',
    priority: 'medium',
    onDelayMs: 0,
    offDelayMs: 0,
    reAlarmMs: 0,
    suppressedBy: [],
    condition,
    origin: 'test',
    ...over,
  })
}

export const above = (limit: number, deadband = 0, sensor = 'v') => ({ kind: 'above', sensor, limit, deadband }) as const
export const below = (limit: number, deadband = 0, sensor = 'v') => ({ kind: 'below', sensor, limit, deadband }) as const

/** Feeds inputs one by one through the pure evaluation; returns the events with the input index. */
export function run(rule: Rule, inputs: readonly RuleInput[]): { events: (ConditionEvent & { i: number })[]; state?: RuleState } {
  let state: RuleState | undefined
  const events: (ConditionEvent & { i: number })[] = []
  inputs.forEach((input, i) => {
    const r = evaluateRule(rule, input, state)
    state = r.state
    for (const e of r.events) events.push({ ...e, i })
  })
  return { events, state }
}

/** Readings of sensor `v` (or `sensor`) at 1 s steps from t = 0. */
export const series = (values: readonly number[], sensor = 'v', stepMs = 1000, t0 = 0): RuleInput[] =>
  values.map((value, k) => ({ ts: t0 + k * stepMs, values: { [sensor]: value } }))

const configFile = (name: string) => readFileSync(new URL(`../../config/${name}`, import.meta.url), 'utf8')

export function defaultPlant(): Plant {
  const r = resolvePlant(plantFileSchema.parse(parseYaml(configFile('plant.yaml'))))
  if (!r.plant) throw new Error(r.problems.join('\n'))
  return r.plant
}

export const defaultRulesText = () => configFile('rules.yaml')

export function defaultRules(plant = defaultPlant()): readonly Rule[] {
  const r = loadRules(defaultRulesText(), plant)
  if (!r.rules) throw new Error(r.problems.join('\n'))
  return r.rules
}

/** Frames to the engine in order, with a timer tick every second as the service will run it. */
export function drive(engine: AlarmEngine, frames: readonly Frame[], line = 'tcm1'): AlarmChange[] {
  const out: AlarmChange[] = []
  let nextTick = frames.length ? frames[0].ts + 1000 : 0
  for (const f of frames) {
    while (f.ts >= nextTick) {
      const t = engine.tick(nextTick)
      if (t.length) out.push(...t)
      nextTick += 1000
    }
    const changes = engine.onTelemetry(line, f.equipment, f.ts, f.values)
    if (changes.length) out.push(...changes)
  }
  return out
}

/** `equipment/rule/action` of each change, for readable assertions. */
export const summary = (changes: readonly AlarmChange[]) => changes.map((c) => `${c.transition.equipment}/${c.transition.rule}/${c.transition.action}`)
