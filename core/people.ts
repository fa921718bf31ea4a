// People, roles, crews, areas and the shift rotation (config/people.yaml). Sign-in reads the
// roles, alarm routing reads crews, areas and the rotation. Plain data, frozen after loading.
import { z } from 'zod'
import type { Plant } from './plant.ts'

export const ROLES = ['worker', 'foreman', 'qa', 'manager', 'engineer', 'admin'] as const
export type Role = (typeof ROLES)[number]
export const LANGUAGES = ['en', 'zh-CN'] as const
export type Language = (typeof LANGUAGES)[number]

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" or "-", at most 64')
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM')

const personSchema = z.strictObject({
  id,
  name: z.string().min(1).max(100),
  roles: z.array(z.enum(ROLES)).min(1),
  crew: z.string().optional(),
  areas: z.array(z.string()).default([]),
  phone: z.string().regex(/^\+?[0-9 -]{5,20}$/, 'a phone number such as +8613800000000').optional(),
  email: z.email().optional(),
  dingtalk: z.strictObject({ userId: z.string().optional(), mobile: z.string().optional() }).optional(),
  language: z.enum(LANGUAGES).default('zh-CN'),
  demo: z.boolean().default(false),
})

export const peopleFileSchema = z.strictObject({
  shifts: z.array(z.strictObject({ id, start: hhmm })).min(1),
  rotation: z.strictObject({
    epoch: z.iso.date(),
    cycle: z.array(z.string()).min(1),
    crews: z.record(z.string(), z.number().int().min(0)),
  }),
  areas: z.record(id, z.strictObject({ name: z.string(), name_zh: z.string().optional(), equipment: z.array(z.string()).min(1) })),
  people: z.array(personSchema),
})

export type PeopleFile = z.infer<typeof peopleFileSchema>
export type Person = z.infer<typeof personSchema>

export interface People {
  readonly file: PeopleFile
  readonly byId: ReadonlyMap<string, Person>
  /** "line/equipment" → area id */
  readonly areaOf: ReadonlyMap<string, string>
}

/** Cross-checks people against shifts, crews, areas and the plant; returns every problem. */
export function resolvePeople(file: PeopleFile, plant: Plant): { people?: People; problems: string[] } {
  const problems: string[] = []
  const shiftIds = new Set(file.shifts.map((s) => s.id))
  file.rotation.cycle.forEach((c, i) => {
    if (c !== 'off' && !shiftIds.has(c)) problems.push(`rotation.cycle[${i}]: "${c}" is neither a shift id nor "off"`)
  })
  const areaOf = new Map<string, string>()
  for (const [areaId, area] of Object.entries(file.areas))
    area.equipment.forEach((ref, i) => {
      const [line, eq] = ref.split('/')
      if (!plant.lines.get(line)?.equipment.has(eq)) problems.push(`areas.${areaId}.equipment[${i}]: no equipment "${ref}" in the plant model (line/equipment)`)
      else if (areaOf.has(ref)) problems.push(`areas.${areaId}.equipment[${i}]: "${ref}" is already in area "${areaOf.get(ref)}"`)
      else areaOf.set(ref, areaId)
    })
  const byId = new Map<string, Person>()
  file.people.forEach((p, i) => {
    if (byId.has(p.id)) problems.push(`people[${i}].id: "${p.id}" appears twice`)
    if (p.crew !== undefined && !(p.crew in file.rotation.crews)) problems.push(`people[${i}].crew: no crew "${p.crew}" in rotation.crews`)
    p.areas.forEach((a, j) => {
      if (!(a in file.areas)) problems.push(`people[${i}].areas[${j}]: no area "${a}"`)
    })
    byId.set(p.id, Object.freeze(p))
  })
  if (problems.length) return { problems }
  return { people: Object.freeze({ file, byId, areaOf }), problems }
}
