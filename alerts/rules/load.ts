// Loading config/rules.yaml: text in, concrete rules or every problem out. It reads no file
// itself, so the hot reload can check a changed file and keep the running rules when it is
// invalid. Problems read `rules.yaml: templates.stand.rules[2].sensor: no sensor "…" …`.
import { parse as parseYaml, YAMLParseError } from 'yaml'
import type { Plant } from '../../core/plant.ts'
import { parseCondition, type Draft } from './conditions.ts'
import { resolveRules, type ParsedEquipment, type ParsedFile, type ParsedOverride, type ParsedRule } from './resolve.ts'
import { defaultsSchema, fileShape, issuesToProblems, overrideSchema, ruleSchema, type Defaults } from './schema.ts'
import type { Rule } from './types.ts'

export interface RulesResult {
  /** Present only when there is no problem. */
  readonly rules?: readonly Rule[]
  readonly problems: readonly string[]
}

type Path = readonly PropertyKey[]

function parseRule(raw: unknown, path: Path, problems: string[], broken?: Set<string>): ParsedRule | undefined {
  const r = ruleSchema.safeParse(raw)
  if (!r.success) problems.push(...issuesToProblems(r.error, path))
  const fields = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}
  const when = fields.when === undefined ? undefined : parseCondition(fields.when, [...path, 'when'], problems)
  if (r.success && when) return { def: r.data, when, path }
  if (typeof fields.id === 'string') broken?.add(fields.id)
  return undefined
}

function parseOverride(raw: unknown, path: Path, problems: string[]): ParsedOverride | undefined {
  const o = overrideSchema.safeParse(raw)
  if (!o.success) problems.push(...issuesToProblems(o.error, path))
  const whenRaw = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).when : undefined
  let when: Draft | undefined
  if (whenRaw !== undefined) {
    when = parseCondition(whenRaw, [...path, 'when'], problems)
    if (!when) return undefined
  }
  return o.success ? { def: o.data, when, path } : undefined
}

/** Structure first, then each rule and override on its own, so every problem is listed. */
function parseFile(doc: unknown, problems: string[]): ParsedFile | undefined {
  const shape = fileShape.safeParse(doc ?? {})
  if (!shape.success) {
    problems.push(...issuesToProblems(shape.error))
    return undefined
  }
  const d = defaultsSchema.safeParse(shape.data.defaults ?? {})
  if (!d.success) problems.push(...issuesToProblems(d.error, ['defaults']))
  const broken = new Set<string>()
  const templates = new Map<string, { rules: ParsedRule[]; path: Path }>()
  for (const [cls, t] of Object.entries(shape.data.templates)) {
    const rules = t.rules.map((r, i) => parseRule(r, ['templates', cls, 'rules', i], problems, broken))
    templates.set(cls, { rules: rules.filter((r) => r !== undefined), path: ['templates', cls] })
  }
  const lines = new Map<string, Map<string, ParsedEquipment>>()
  for (const [line, eqs] of Object.entries(shape.data.lines)) {
    const m = new Map<string, ParsedEquipment>()
    for (const [eq, e] of Object.entries(eqs)) {
      const path = ['lines', line, eq]
      const overrides = new Map<string, ParsedOverride>()
      for (const [id, o] of Object.entries(e.overrides)) {
        const p = parseOverride(o, [...path, 'overrides', id], problems)
        if (p) overrides.set(id, p)
      }
      const rules = e.rules.map((r, i) => parseRule(r, [...path, 'rules', i], problems, broken)).filter((r) => r !== undefined)
      m.set(eq, { overrides, rules, path })
    }
    lines.set(line, m)
  }
  // Rules with problems of their own are left out; the rest are still checked against the
  // plant model, and `broken` keeps references to the left-out ones from being reported.
  return { defaults: d.success ? d.data : { onDelay: 0, offDelay: 0, reAlarm: 0 }, templates, lines, broken }
}

function yamlDocument(text: string, source: string, problems: string[]): unknown {
  try {
    return parseYaml(text)
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? `:${err.linePos[0].line}:${err.linePos[0].col}` : ''
    problems.push(`${source}${where}: ${(err as Error).message.split('\n')[0]}`)
    return undefined
  }
}

/** Parses, validates against the plant model and resolves rules.yaml text. Never throws. */
export function loadRules(text: string, plant: Plant, source = 'rules.yaml'): RulesResult {
  const problems: string[] = []
  const doc = yamlDocument(text, source, problems)
  if (problems.length) return { problems }
  const file = parseFile(doc, problems)
  const set = new Set<string>(problems)
  const rules = file ? resolveRules(file, plant, set) : []
  if (set.size) return { problems: [...set].map((p) => `${source}: ${p}`) }
  return { rules: Object.freeze(rules), problems: [] }
}

/**
 * One rule definition (the what-if endpoint's new or changed rule), as it would be written
 * under `lines.{line}.{equipment}.rules`, resolved for that equipment.
 */
export function loadRuleDefinition(def: unknown, plant: Plant, line: string, equipment: string, defaults: Partial<Defaults> = {}): RulesResult {
  const problems: string[] = []
  const parsed = parseRule(def, ['rule'], problems)
  if (!parsed) return { problems }
  const file: ParsedFile = {
    defaults: { onDelay: 0, offDelay: 0, reAlarm: 0, ...defaults },
    templates: new Map(),
    lines: new Map([[line, new Map([[equipment, { overrides: new Map(), rules: [parsed], path: ['lines', line, equipment] }]])]]),
  }
  const set = new Set<string>()
  const rules = resolveRules(file, plant, set).filter((r) => r.line === line && r.equipment === equipment)
  // suppressedBy names other rules of the equipment, which a lone definition cannot see.
  const relevant = [...set].filter((p) => !p.includes('.suppressedBy['))
  return relevant.length ? { problems: relevant } : { rules: Object.freeze(rules), problems: [] }
}
