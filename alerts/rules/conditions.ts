// The `when:` of a rule, parsed by hand for clear messages. A condition is an object with
// exactly one kind key, plus `sensor` (default: the rule's) and `deadband` on leaves:
//   { above: 7.1 }                 { below: 20, sensor: tension_kN }
//   { outside: [-10, 10] }         { rate: { rise: 150, per: 1s, window: 500ms } }
//   { stuck: { for: 60s, epsilon: 0 } }     { stale: { for: 15s } }
//   { deviation: { z: 4, halfLife: 30m, warmup: 15m, side: high, minSigma: 1 } }
//   { all: [ ... ] }  { any: [ ... ] }   (AND / OR across sensors of one equipment)
import { z } from 'zod'
import { duration, formatPath as where, id, issuesToProblems } from './schema.ts'
import { suggest } from './suggest.ts'
import type { Leaf } from './types.ts'

type Path = readonly PropertyKey[]

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
/** A leaf before the rule's sensor and deadband are filled in (rules/types.ts has the result). */
export type DraftLeaf = Without<Leaf, 'sensor' | 'deadband'> & { readonly sensor?: string; readonly deadband?: number; readonly path: Path }
export type Draft = DraftLeaf | { readonly kind: 'all' | 'any'; readonly of: readonly Draft[]; readonly path: Path }

const KINDS = ['above', 'below', 'outside', 'rate', 'stuck', 'stale', 'deviation', 'all', 'any'] as const
const LEAF_EXTRAS = ['sensor', 'deadband']
const positive = z.number().positive()
const longerThan0 = duration.refine((ms) => ms > 0, 'must be longer than 0')

/** Each leaf kind's parameters, checked and turned into the draft's fields. */
const leafParams = {
  above: z.number().transform((limit) => ({ kind: 'above' as const, limit })),
  below: z.number().transform((limit) => ({ kind: 'below' as const, limit })),
  outside: z
    .tuple([z.number(), z.number()])
    .refine(([lo, hi]) => lo < hi, 'give [low, high] with low < high')
    .transform(([low, high]) => ({ kind: 'outside' as const, low, high })),
  rate: z
    .strictObject({ rise: positive.optional(), fall: positive.optional(), change: positive.optional(), per: duration.default(1000), window: duration.default(1000) })
    .refine((r) => [r.rise, r.fall, r.change].filter((x) => x !== undefined).length === 1, 'give exactly one of rise, fall, change')
    .refine((r) => r.per > 0 && r.window > 0, 'per and window must be longer than 0')
    .transform((r) => ({
      kind: 'rate' as const,
      direction: r.rise !== undefined ? ('rise' as const) : r.fall !== undefined ? ('fall' as const) : ('change' as const),
      limit: (r.rise ?? r.fall ?? r.change)!,
      perMs: r.per,
      windowMs: r.window,
    })),
  stuck: z
    .strictObject({ for: longerThan0, epsilon: z.number().min(0).default(0) })
    .transform((s) => ({ kind: 'stuck' as const, forMs: s.for, epsilon: s.epsilon })),
  stale: z.strictObject({ for: longerThan0 }).transform((s) => ({ kind: 'stale' as const, forMs: s.for })),
  deviation: z
    .strictObject({ z: positive, side: z.enum(['high', 'low', 'both']).default('both'), halfLife: longerThan0, warmup: duration.default(0), minSigma: z.number().min(0).default(0) })
    .transform((d) => ({ kind: 'deviation' as const, z: d.z, side: d.side, halfLifeMs: d.halfLife, warmupMs: d.warmup, minSigma: d.minSigma })),
}

export function parseCondition(raw: unknown, path: Path, problems: string[]): Draft | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${where(path)}: a condition is an object such as { above: 7.1 } — one of ${KINDS.join(', ')}`)
    return undefined
  }
  const obj = raw as Record<string, unknown>
  const keys = Object.keys(obj)
  const kinds = keys.filter((k) => (KINDS as readonly string[]).includes(k))
  const unknown = keys.filter((k) => !kinds.includes(k) && !LEAF_EXTRAS.includes(k))
  for (const k of unknown) problems.push(`${where([...path, k])}: not a condition kind${suggest(k, KINDS)} (one of ${KINDS.join(', ')})`)
  if (kinds.length !== 1) {
    if (unknown.length === 0) problems.push(`${where(path)}: give exactly one of ${KINDS.join(', ')}${kinds.length ? ` (found ${kinds.join(', ')})` : ''}`)
    return undefined
  }
  const kind = kinds[0] as (typeof KINDS)[number]
  if (kind === 'all' || kind === 'any') {
    const list = obj[kind]
    for (const k of LEAF_EXTRAS) if (k in obj) problems.push(`${where([...path, k])}: put ${k} on the conditions inside ${kind}`)
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(`${where([...path, kind])}: a non-empty list of conditions`)
      return undefined
    }
    const of = list.map((c, i) => parseCondition(c, [...path, kind, i], problems))
    return of.every((c) => c !== undefined) ? { kind, of: of as Draft[], path } : undefined
  }
  const extras = z.strictObject({ sensor: id.optional(), deadband: z.number().min(0).optional() }).safeParse({ sensor: obj.sensor, deadband: obj.deadband })
  if (!extras.success) problems.push(...issuesToProblems(extras.error, path))
  if ((kind === 'stuck' || kind === 'stale') && obj.deadband !== undefined) problems.push(`${where([...path, 'deadband'])}: a ${kind} condition has no deadband`)
  const p = leafParams[kind].safeParse(obj[kind])
  if (!p.success) {
    problems.push(...issuesToProblems(p.error, [...path, kind]))
    return undefined
  }
  if (!extras.success) return undefined
  return { ...p.data, sensor: extras.data.sensor, deadband: extras.data.deadband, path }
}
