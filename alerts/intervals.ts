// When one alarm occurrence was active, from its stored ISA-18.2 transitions. An occurrence
// runs from its first activation back to normal, and its condition may clear and return
// several times in between (a repeat while unacknowledged updates the same occurrence,
// alerts/lifecycle.ts `activate`), so "active" is a list of intervals, not one.
import type { AlarmOccurrence } from '../core/payloads.ts'
import type { AlarmTransitionRecord } from '../store/types.ts'

export interface ActiveInterval {
  /** epoch ms, the activation */
  from: number
  /** epoch ms, the clear (or retirement); absent while still active */
  to?: number
}

export interface OccurrenceIntervals extends Omit<AlarmOccurrence, 'clearedAt' | 'value'> {
  intervals: ActiveInterval[]
}

/** Transitions that end the process condition: it cleared, or its rule was removed. */
const ENDS: ReadonlySet<string> = new Set(['clear', 'retire'])

/** Pure: one occurrence's transitions (any order) → its active intervals; undefined if it never activated. */
export function activeIntervals(transitions: readonly AlarmTransitionRecord[]): OccurrenceIntervals | undefined {
  const sorted = [...transitions].sort((a, b) => a.at - b.at)
  const first = sorted.find((t) => t.action === 'activate')
  if (!first) return undefined
  const intervals: ActiveInterval[] = []
  let open: ActiveInterval | undefined
  for (const t of sorted) {
    if (t.action === 'activate' && !open) intervals.push((open = { from: t.at }))
    else if (ENDS.has(t.action) && open) {
      open.to = t.at
      open = undefined
    }
  }
  return {
    id: first.alarmId, line: String(first.line), equipment: String(first.equipment), sensor: String(first.sensor), rule: String(first.rule),
    priority: first.priority as AlarmOccurrence['priority'], raisedAt: first.at, intervals,
  }
}
