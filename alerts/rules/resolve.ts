// Templates + overrides + equipment rules → one flat list of concrete rules, checked against
// the plant model. Every problem is collected (a Set: a template mistake repeated for five
// stands is reported once) and names where it is in the file.
import type { Equipment, Plant } from '../../core/plant.ts'
import type { Draft } from './conditions.ts'
import { formatPath, type Defaults, type OverrideDef, type RuleDef } from './schema.ts'
import { suggest } from './suggest.ts'
import { isCombination, ruleKey, type Condition, type Rule } from './types.ts'

type Path = readonly PropertyKey[]
export interface ParsedRule { readonly def: RuleDef; readonly when: Draft; readonly path: Path }
export interface ParsedOverride { readonly def: OverrideDef; readonly when?: Draft; readonly path: Path }
export interface ParsedEquipment { readonly overrides: ReadonlyMap<string, ParsedOverride>; readonly rules: readonly ParsedRule[]; readonly path: Path }
export interface ParsedFile {
  readonly defaults: Defaults
  readonly templates: ReadonlyMap<string, { readonly rules: readonly ParsedRule[]; readonly path: Path }>
  readonly lines: ReadonlyMap<string, ReadonlyMap<string, ParsedEquipment>>
  /** Ids of rules left out for problems of their own: references to them are not reported again. */
  readonly broken?: ReadonlySet<string>
}

interface Member { readonly line: string; readonly eq: Equipment }
/** Answers "is this sensor there?" with a problem message, or undefined when it is. */
type SensorCheck = (sensor: string) => string | undefined

function leaves(d: Draft, out: Draft[] = []): Draft[] {
  if (isCombination(d)) for (const c of d.of) leaves(c, out)
  else out.push(d)
  return out
}

/** Checks the rule's sensor(s) and every leaf's sensor; pushes problems with their paths. */
function checkSensors(sensor: string | undefined, sensors: RuleDef['sensors'], when: Draft, rulePath: Path, has: SensorCheck, problems: Set<string>): void {
  const report = (path: Path, name: string) => {
    const m = has(name)
    if (m) problems.add(`${formatPath(path)}: ${m}`)
  }
  if (sensor !== undefined) report([...rulePath, 'sensor'], sensor)
  if (Array.isArray(sensors)) sensors.forEach((s, i) => report([...rulePath, 'sensors', i], s))
  if (sensor !== undefined && sensors !== undefined) problems.add(`${formatPath(rulePath)}: give sensor or sensors, not both`)
  for (const leaf of leaves(when)) {
    if (isCombination(leaf)) continue
    if (leaf.sensor !== undefined) report([...leaf.path, 'sensor'], leaf.sensor)
    else if (sensor === undefined && sensors === undefined) problems.add(`${formatPath([...rulePath, 'sensor'])}: required (or name a sensor on every condition)`)
  }
}

function classCheck(cls: string, members: readonly Member[]): SensorCheck {
  return (s) => {
    const missing = members.filter((m) => !m.eq.sensors.has(s))
    if (missing.length === 0) return undefined
    if (missing.length < members.length) return `no sensor "${s}" on ${missing.map((m) => `${m.line}/${m.eq.id}`).join(', ')} (class ${cls})`
    return `no sensor "${s}" in class ${cls}${suggest(s, members[0].eq.sensors.keys())}`
  }
}

const equipmentCheck = (line: string, eq: Equipment): SensorCheck => (s) =>
  eq.sensors.has(s) ? undefined : `no sensor "${s}" on ${line}/${eq.id}${suggest(s, eq.sensors.keys())}`

function finalize(d: Draft, ruleSensor: string, ruleDeadband: number): Condition {
  if (isCombination(d)) return Object.freeze({ kind: d.kind, of: Object.freeze(d.of.map((c) => finalize(c, ruleSensor, ruleDeadband))) })
  const { path: _path, sensor: own, deadband: ownDeadband, ...rest } = d
  const sensor = own ?? ruleSensor
  // The rule's deadband is in the rule sensor's units: it applies to leaves on that sensor only.
  const deadband = ownDeadband ?? (sensor === ruleSensor ? ruleDeadband : 0)
  return Object.freeze(rest.kind === 'stuck' || rest.kind === 'stale' ? { ...rest, sensor } : { ...rest, sensor, deadband }) as Condition
}

function firstSensor(d: Draft): string | undefined {
  for (const l of leaves(d)) if (!isCombination(l) && l.sensor) return l.sensor
  return undefined
}

/** One piece of equipment's concrete rules: template rules (with overrides) then its own. */
function concreteRules(file: ParsedFile, line: string, eq: Equipment, problems: Set<string>): Rule[] {
  const own = file.lines.get(line)?.get(eq.id)
  const template = eq.class === undefined ? [] : file.templates.get(eq.class)?.rules ?? []
  const defs = [
    ...template.map((r) => {
      const ov = own?.overrides.get(r.def.id)
      if (!ov) return { ...r, origin: formatPath(r.path) }
      const def = { ...r.def, ...Object.fromEntries(Object.entries(ov.def).filter(([, v]) => v !== undefined)) } as RuleDef
      return { def, when: ov.when ?? r.when, path: r.path, origin: `${formatPath(r.path)} with ${formatPath(ov.path)}` }
    }),
    ...(own?.rules ?? []).map((r) => ({ ...r, origin: formatPath(r.path) })),
  ]
  const ids = new Set(defs.map((d) => d.def.id))
  const out: Rule[] = []
  for (const { def, when, path, origin } of defs) {
    def.suppressedBy.forEach((s, i) => {
      if (ids.has(s) || file.broken?.has(s)) return
      // A template's mistake is reported once, not once per piece of equipment.
      const where = path[0] === 'templates' ? `in template ${eq.class}` : `on ${line}/${eq.id}`
      problems.add(`${formatPath([...path, 'suppressedBy', i])}: no rule "${s}" ${where}${suggest(s, ids)}`)
    })
    if (!def.enabled) continue
    const sensors = def.sensors === 'all' ? [...eq.sensors.keys()] : def.sensors ?? [def.sensor ?? firstSensor(when)]
    for (const sensor of sensors) {
      if (sensor === undefined || !eq.sensors.has(sensor)) continue // reported by checkSensors
      const rule: Rule = {
        key: ruleKey(line, eq.id, sensor, def.id),
        id: def.id,
        line,
        equipment: eq.id,
        sensor,
        area: eq.area,
        description: def.description,
        priority: def.priority,
        onDelayMs: def.onDelay ?? file.defaults.onDelay,
        offDelayMs: def.offDelay ?? file.defaults.offDelay,
        reAlarmMs: def.reAlarm ?? file.defaults.reAlarm,
        suppressedBy: Object.freeze([...def.suppressedBy]),
        condition: finalize(when, sensor, def.deadband ?? 0),
        origin,
      }
      out.push(Object.freeze(rule))
    }
  }
  return out
}

function duplicates(rules: readonly ParsedRule[], taken: ReadonlyMap<string, Path>, problems: Set<string>): void {
  const seen = new Map(taken)
  for (const r of rules) {
    const before = seen.get(r.def.id)
    if (before) problems.add(`${formatPath([...r.path, 'id'])}: "${r.def.id}" is already defined at ${formatPath(before)}${taken.has(r.def.id) ? ' (change it under overrides)' : ''}`)
    else seen.set(r.def.id, r.path)
  }
}

export function resolveRules(file: ParsedFile, plant: Plant, problems: Set<string>): Rule[] {
  const classes = new Map<string, Member[]>()
  for (const [lineId, l] of plant.lines)
    for (const eq of l.equipment.values()) if (eq.class !== undefined) classes.set(eq.class, [...(classes.get(eq.class) ?? []), { line: lineId, eq }])

  for (const [cls, tpl] of file.templates) {
    const members = classes.get(cls)
    if (!members) {
      problems.add(`${formatPath(tpl.path)}: no equipment of class "${cls}" in the plant model${suggest(cls, classes.keys())}`)
      continue
    }
    duplicates(tpl.rules, new Map(), problems)
    for (const r of tpl.rules) checkSensors(r.def.sensor, r.def.sensors, r.when, r.path, classCheck(cls, members), problems)
  }

  for (const [lineId, eqs] of file.lines) {
    const line = plant.lines.get(lineId)
    if (!line) {
      problems.add(`${formatPath(['lines', lineId])}: no line "${lineId}" in the plant model${suggest(lineId, plant.lines.keys())}`)
      continue
    }
    for (const [eqId, own] of eqs) {
      const eq = line.equipment.get(eqId)
      if (!eq) {
        problems.add(`${formatPath(own.path)}: no equipment "${eqId}" on line ${lineId}${suggest(eqId, line.equipment.keys())}`)
        continue
      }
      const template = eq.class === undefined ? undefined : file.templates.get(eq.class)
      const templateIds = new Map((template?.rules ?? []).map((r) => [r.def.id, r.path] as const))
      const check = equipmentCheck(lineId, eq)
      for (const [ruleId, ov] of own.overrides) {
        const base = template?.rules.find((r) => r.def.id === ruleId)
        if (!base && !file.broken?.has(ruleId)) problems.add(`${formatPath(ov.path)}: no rule "${ruleId}" in template ${eq.class ?? '(none)'} to override${suggest(ruleId, templateIds.keys())}`)
        else if (base && ov.when) checkSensors(base.def.sensor, base.def.sensors, ov.when, ov.path, check, problems)
      }
      duplicates(own.rules, templateIds, problems)
      for (const r of own.rules) checkSensors(r.def.sensor, r.def.sensors, r.when, r.path, check, problems)
    }
  }

  const rules: Rule[] = []
  for (const [lineId, l] of plant.lines) for (const eq of l.equipment.values()) rules.push(...concreteRules(file, lineId, eq, problems))
  return rules
}
