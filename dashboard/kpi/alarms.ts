// Alarm figures of a period from the stored ISA-18.2 transitions: the EEMUA 191 load per area
// (alerts/kpi/load.ts computes it; this file only narrows it to the period's windows), mean
// time to acknowledge and to recover, and the equipment with the most alarms. Pure.
//   annunciation = a transition `activate` → unacknowledged (an alarm shown to the operator)
//   MTTA = mean over occurrences raised in the period and acknowledged of (first ack − raised)
//   MTTR = mean over occurrences raised in the period whose condition cleared of (clear − raised)
import { alarmLoad, type AlarmLoad, type KpiRecord } from '../../alerts/kpi/load.ts'
import type { AlarmTransitionRecord } from '../../store/types.ts'
import { inWindows, windowMinutes, windowOf, type Window } from './periods.ts'

export interface AreaLoad {
  area: string
  total: number
  /** annunciations per 10 minutes over the period (EEMUA 191: ~1 is manageable) */
  per10min: number
  maxPer10min: number
  /** ISA-18.2 floods: more than 10 alarms in 10 minutes */
  floods: number
  timeInFloodPct: number
  chattering: number
  stale: number
}

export interface AlarmFigures {
  total: number
  per10min: number
  perArea: AreaLoad[]
  mttaMs: number | null
  mttrMs: number | null
  acknowledged: number
  recovered: number
  priority: AlarmLoad['priority']
}

export interface WorstEquipment {
  line: string
  equipment: string
  area?: string
  alarms: number
}

type Rec = AlarmTransitionRecord
const annunciated = (r: Rec) => r.action === 'activate' && r.to === 'unacknowledged'
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d

interface Occ { raised: number; acked?: number; cleared?: number }
/** Per transitions array, computed once (a table of 720 hours reads them 720 times). */
const indexes = new WeakMap<readonly Rec[], { shown: Rec[]; occurrences: Occ[] }>()

function indexOf(records: readonly Rec[]) {
  let ix = indexes.get(records)
  if (ix) return ix
  const sorted = [...records].sort((a, b) => a.at - b.at)
  const occ = new Map<string, Occ>()
  for (const r of sorted) {
    let o = occ.get(r.alarmId)
    if (!o && r.action === 'activate') occ.set(r.alarmId, (o = { raised: r.at }))
    if (!o) continue
    if (o.acked === undefined && r.action === 'ack') o.acked = r.at
    if (o.cleared === undefined && (r.action === 'clear' || r.action === 'retire')) o.cleared = r.at
  }
  ix = { shown: sorted.filter(annunciated), occurrences: [...occ.values()].sort((a, b) => a.raised - b.raised) }
  indexes.set(records, ix)
  return ix
}

/** Annunciations inside the windows, oldest first (transitions may come in any order). */
export function annunciations(records: readonly Rec[], windows: readonly Window[]): Rec[] {
  return inWindows(indexOf(records).shown, (r) => r.at, windows)
}

export function alarmCount(records: readonly Rec[], windows: readonly Window[]): number {
  return annunciations(records, windows).length
}

/** MTTA and MTTR over the occurrences (alarm ids) raised inside the windows. */
export function responseTimes(records: readonly Rec[], windows: readonly Window[]) {
  let ackSum = 0, acked = 0, clearSum = 0, recovered = 0
  for (const o of inWindows(indexOf(records).occurrences, (x) => x.raised, windows)) {
    if (o.acked !== undefined) (ackSum += o.acked - o.raised), acked++
    if (o.cleared !== undefined) (clearSum += o.cleared - o.raised), recovered++
  }
  return { mttaMs: acked ? Math.round(ackSum / acked) : null, mttrMs: recovered ? Math.round(clearSum / recovered) : null, acknowledged: acked, recovered }
}

/**
 * `records`: the line's transitions from a day before the period (stale alarms began earlier)
 * to its end. `areaOf`: "line/equipment" → area (people.yaml).
 */
export function alarmFigures(records: readonly Rec[], windows: readonly Window[], areaOf: Readonly<Record<string, string>>): AlarmFigures {
  const from = windows[0]?.from ?? 0
  const to = windows[windows.length - 1]?.to ?? 0
  // Several windows (one crew's shifts): annunciations outside them do not count.
  const inScope = windows.length > 1 ? records.filter((r) => !annunciated(r) || r.at < from || windowOf(windows, r.at) >= 0) : records
  const load = alarmLoad(inScope as unknown as KpiRecord[], { from, to, areas: areaOf })
  const minutes = windowMinutes(windows)
  const areaOfPoint = (p: { line: string; equipment: string }) => areaOf[`${p.line}/${p.equipment}`] ?? areaOf[p.equipment] ?? '(none)'
  const perArea = Object.entries(load.areas).map(([area, rate]) => ({
    area,
    total: rate.activations,
    per10min: minutes > 0 ? round((rate.activations * 10) / minutes) : 0,
    maxPer10min: rate.maxPer10Min,
    floods: rate.floods.length,
    timeInFloodPct: rate.timeInFloodPct,
    chattering: load.chattering.filter((c) => areaOfPoint(c) === area).length,
    stale: load.stale.filter((s) => areaOfPoint(s) === area).length,
  }))
  const total = load.overall.activations
  return {
    total,
    per10min: minutes > 0 ? round((total * 10) / minutes) : 0,
    perArea,
    ...responseTimes(records, windows),
    priority: load.priority,
  }
}

/** The `limit` pieces of equipment with the most annunciations in the windows. */
export function worstEquipment(records: readonly Rec[], windows: readonly Window[], areaOf: Readonly<Record<string, string>>, limit = 10): WorstEquipment[] {
  const counts = new Map<string, WorstEquipment>()
  for (const r of annunciations(records, windows)) {
    const k = `${r.line}/${r.equipment}`
    const e = counts.get(k) ?? { line: String(r.line), equipment: String(r.equipment), area: areaOf[k], alarms: 0 }
    e.alarms++
    counts.set(k, e)
  }
  return [...counts.values()].sort((a, b) => b.alarms - a.alarms || `${a.line}/${a.equipment}`.localeCompare(`${b.line}/${b.equipment}`)).slice(0, limit)
}
