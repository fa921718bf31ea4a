// The shape of config/rules.yaml, checked with zod. The `when:` condition is parsed by hand
// (conditions.ts) so that a mistake there gets a message that names the condition kinds,
// not zod's "invalid union". Problems carry paths like `templates.stand.rules[2].sensor`.
import { z } from 'zod'
import { parseDuration } from '../../core/duration.ts'
import { PRIORITIES } from './types.ts'

export const idPattern = /^[A-Za-z0-9_-]{1,64}$/
export const id = z.string().regex(idPattern, 'letters, digits, "_" or "-", at most 64')

/** Durations are written with a unit ("10s", "5m"); a bare number is refused except 0. */
export const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? (v === 0 ? 0 : undefined) : parseDuration(v)
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration: write a unit, e.g. 500ms, 10s, 5m, 1h` })
    return z.NEVER
  }
  return ms
})

const priority = z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(', ')}` })

/** Fields a rule and an override share. */
const ruleFields = {
  description: z
    .string({ error: (i) => (i.input === undefined ? 'required: say what it means and what to check' : 'must be text') })
    .trim()
    .min(1, 'say what it means and what to check'),
  priority,
  when: z.unknown().optional(),
  deadband: z.number().min(0),
  onDelay: duration,
  offDelay: duration,
  reAlarm: duration,
  enabled: z.boolean(),
  suppressedBy: z.array(id),
}

export const ruleSchema = z.strictObject({
  id,
  sensor: id.optional(),
  /** One rule per sensor: `all` sensors of the equipment or a list. */
  sensors: z.union([z.literal('all'), z.array(id).min(1)]).optional(),
  description: ruleFields.description,
  priority: ruleFields.priority,
  when: z.unknown().nonoptional('a condition is required'),
  deadband: ruleFields.deadband.optional(),
  onDelay: ruleFields.onDelay.optional(),
  offDelay: ruleFields.offDelay.optional(),
  reAlarm: ruleFields.reAlarm.optional(),
  enabled: ruleFields.enabled.default(true),
  suppressedBy: ruleFields.suppressedBy.default([]),
})

/** An override changes some fields of a template rule for one piece of equipment. */
export const overrideSchema = z.strictObject({
  description: ruleFields.description.optional(),
  priority: ruleFields.priority.optional(),
  when: ruleFields.when.optional(),
  deadband: ruleFields.deadband.optional(),
  onDelay: ruleFields.onDelay.optional(),
  offDelay: ruleFields.offDelay.optional(),
  reAlarm: ruleFields.reAlarm.optional(),
  enabled: ruleFields.enabled.optional(),
  suppressedBy: ruleFields.suppressedBy.optional(),
})

export const defaultsSchema = z
  .strictObject({
    onDelay: duration.default(0),
    offDelay: duration.default(0),
    reAlarm: duration.default(0),
  })
  .prefault({})

/**
 * The file's skeleton. Rules and overrides are left `unknown` here and checked one by one,
 * so one bad rule does not hide the problems of the others.
 */
export const fileShape = z.strictObject({
  defaults: z.unknown().optional(),
  templates: z.record(id, z.strictObject({ rules: z.array(z.unknown()).default([]) })).default({}),
  lines: z
    .record(id, z.record(id, z.strictObject({ overrides: z.record(id, z.unknown()).default({}), rules: z.array(z.unknown()).default([]) })))
    .default({}),
})

export type RuleDef = z.infer<typeof ruleSchema>
export type OverrideDef = z.infer<typeof overrideSchema>
export type Defaults = z.infer<typeof defaultsSchema>

/** `['templates', 'stand', 'rules', 2, 'sensor']` → `templates.stand.rules[2].sensor`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p)
  return out || '(root)'
}

export const issuesToProblems = (error: z.ZodError, base: readonly PropertyKey[] = []) =>
  error.issues.map((i) => `${formatPath([...base, ...i.path])}: ${i.message}`)
