// The alarms that were active on a line during a time window (a coil's time on the mill),
// from the stored ISA-18.2 transitions: an occurrence is active from its activation to the
// transition that clears its condition.
import type { AlarmOccurrence } from '../core/payloads.ts'
import type { AlarmRecords, AlarmTransitionRecord } from '../store/types.ts'

export type ActiveAlarm = AlarmOccurrence

/** Pure: transitions (any order) → occurrences on `line` overlapping [from, to). */
export function activeDuring(transitions: readonly AlarmTransitionRecord[], line: string, from: number, to: number): ActiveAlarm[] {
  const byId = new Map<string, ActiveAlarm>()
  for (const t of [...transitions].sort((a, b) => a.at - b.at)) {
    if (t.line !== line) continue
    if (t.action === 'activate' && !byId.has(t.alarmId))
      byId.set(t.alarmId, {
        id: t.alarmId, line, equipment: String(t.equipment), sensor: String(t.sensor), rule: String(t.rule),
        priority: t.priority as ActiveAlarm['priority'], raisedAt: t.at, value: typeof t.value === 'number' ? t.value : undefined,
      })
    const a = byId.get(t.alarmId)
    if (a && a.clearedAt === undefined && (t.action === 'clear' || t.action === 'retire')) a.clearedAt = t.at
    if (a && typeof t.value === 'number' && t.action === 'activate') a.value = t.value
  }
  return [...byId.values()].filter((a) => a.raisedAt < to && (a.clearedAt === undefined || a.clearedAt > from))
}

/** Alarms of a line active during [from, to); looks back a day for alarms raised before it. */
export async function alarmsDuring(records: AlarmRecords, line: string, from: number, to: number): Promise<ActiveAlarm[]> {
  const transitions = await records.transitions({ from: from - 86_400_000, to, limit: 100_000 })
  return activeDuring(transitions, line, from, to)
}
