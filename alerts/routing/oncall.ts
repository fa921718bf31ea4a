// Who is responsible for an area at an instant (DESIGN.md "The right worker"): the workers of
// the crew on shift whose areas include it, that crew's foreman, and the maintenance
// managers — and the order and delays in which an unacknowledged alarm reaches them
// (operator → shift foreman → maintenance manager). Pure: people, config and time in.
import type { People, Person } from '../../core/people.ts'
import { shiftAt, type ShiftSlot } from '../../core/shifts.ts'
import type { EscalationConfig } from '../notify/config.ts'
import type { Priority } from '../rules/types.ts'

export const LEVELS = ['operator', 'foreman', 'manager'] as const
export type Level = (typeof LEVELS)[number]

export interface OnCall {
  readonly area: string
  readonly shift: ShiftSlot
  readonly operator: readonly Person[]
  readonly foreman: readonly Person[]
  readonly manager: readonly Person[]
}

export interface OnCallOptions {
  /** The plant time zone (config/plant.yaml); default Asia/Shanghai. */
  readonly timezone?: string
  /** channels.yaml `escalation` (the managers per area). */
  readonly escalation?: Pick<EscalationConfig, 'managers' | 'areas'>
}

const has = (p: Person, role: Person['roles'][number]) => p.roles.includes(role)

export function onCall(people: People, areaId: string, at: number, opts: OnCallOptions = {}): OnCall {
  const shift = shiftAt(at, people.file, opts.timezone ?? 'Asia/Shanghai')
  const all = people.file.people
  const ofCrew = (p: Person) => shift.crew !== undefined && p.crew === shift.crew
  const operator = all.filter((p) => has(p, 'worker') && ofCrew(p) && p.areas.includes(areaId))
  // The crew's foreman for this area; a foreman with no areas listed covers them all.
  const foremen = all.filter((p) => has(p, 'foreman') && ofCrew(p))
  const foreman = foremen.filter((p) => p.areas.length === 0 || p.areas.includes(areaId))
  const ids = opts.escalation?.areas[areaId]?.managers ?? opts.escalation?.managers
  const manager = ids ? ids.map((id) => people.byId.get(id)).filter((p): p is Person => p !== undefined) : all.filter((p) => has(p, 'manager'))
  return { area: areaId, shift, operator, foreman: foreman.length ? foreman : foremen, manager }
}

/** For GET /api/oncall: names and ids only (phones and addresses stay in the server). */
export function onCallToJson(d: OnCall) {
  const brief = (list: readonly Person[]) => list.map((p) => ({ id: p.id, name: p.name, crew: p.crew, language: p.language }))
  return { area: d.area, shift: { ...d.shift }, operator: brief(d.operator), foreman: brief(d.foreman), manager: brief(d.manager) }
}

export interface PlanStep {
  readonly level: Level
  /** Since the alarm was raised (or annunciated again), while it stays unacknowledged. */
  readonly afterMs: number
}

/**
 * The escalation chain for an alarm: the operator at once, the foreman after N, the manager
 * after M (both counted from the alarm). N and M come from channels.yaml: per priority and
 * per area, the faster of the two when both are set, else the defaults.
 */
export function escalationPlan(alarm: { readonly area?: string; readonly priority: Priority }, config: Pick<EscalationConfig, 'foremanAfterMs' | 'managerAfterMs' | 'priorities' | 'areas'>): PlanStep[] {
  const byPriority = config.priorities[alarm.priority] ?? {}
  const byArea = (alarm.area !== undefined ? config.areas[alarm.area] : undefined) ?? {}
  const pick = (a: number | undefined, b: number | undefined, fallback: number) => (a === undefined ? (b ?? fallback) : b === undefined ? a : Math.min(a, b))
  const foremanAfterMs = pick(byPriority.foremanAfterMs, byArea.foremanAfterMs, config.foremanAfterMs)
  const managerAfterMs = Math.max(foremanAfterMs, pick(byPriority.managerAfterMs, byArea.managerAfterMs, config.managerAfterMs))
  return [
    { level: 'operator', afterMs: 0 },
    { level: 'foreman', afterMs: foremanAfterMs },
    { level: 'manager', afterMs: managerAfterMs },
  ]
}
