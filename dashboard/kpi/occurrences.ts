// The alarms raised in a period, rebuilt from the stored ISA-18.2 transitions (the drill-down
// from a bad hour: `GET /api/alerts?from=&to=`). The engine holds only each alarm point's
// current occurrence; history lives in the records store. Pure.
import type { AlarmTransitionRecord } from '../../store/types.ts'

export interface Occurrence {
  id: string
  key: string
  line: string
  equipment: string
  sensor: string
  rule: string
  priority: string
  area?: string
  /** the last state known from the transitions read */
  state: string
  active: boolean
  acknowledged: boolean
  raisedAt: number
  value?: number
  ackedAt?: number
  ackedBy?: string
  clearedAt?: number
}

/**
 * Occurrences first raised in [from, to), newest first. `transitions` must reach from `from`
 * to now so that later acknowledgements and clears show.
 */
export function raisedIn(transitions: readonly AlarmTransitionRecord[], from: number, to: number, filter: { line?: string; equipment?: string } = {}): Occurrence[] {
  const byId = new Map<string, Occurrence>()
  for (const t of [...transitions].sort((a, b) => a.at - b.at)) {
    if ((filter.line && t.line !== filter.line) || (filter.equipment && t.equipment !== filter.equipment)) continue
    let o = byId.get(t.alarmId)
    if (!o && t.action === 'activate') {
      if (t.at < from || t.at >= to) continue
      o = {
        id: t.alarmId, key: t.key, line: String(t.line), equipment: String(t.equipment), sensor: String(t.sensor), rule: String(t.rule),
        priority: String(t.priority), ...(typeof t.area === 'string' && { area: t.area }),
        state: t.to, active: true, acknowledged: false, raisedAt: t.at, ...(typeof t.value === 'number' && { value: t.value }),
      }
      byId.set(t.alarmId, o)
      continue
    }
    if (!o) continue
    o.state = t.to
    if (t.action === 'ack' && o.ackedAt === undefined) (o.ackedAt = t.at), t.by !== undefined && (o.ackedBy = t.by)
    if ((t.action === 'clear' || t.action === 'retire') && o.clearedAt === undefined) o.clearedAt = t.at
    if (t.action === 'activate' && typeof t.value === 'number') o.value = t.value
    o.active = t.action === 'clear' || t.action === 'retire' ? false : t.action === 'activate' ? true : o.active
    o.acknowledged = t.to !== 'unacknowledged' && t.to !== 'rtn_unacknowledged'
  }
  return [...byId.values()].sort((a, b) => b.raisedAt - a.raisedAt)
}
