// Alarm-load figures for a period (EEMUA 191 / ISA-18.2 alarm system performance): rates per
// 10 minutes overall and per area, floods, chattering, stale alarms, the top 10 bad actors
// and the priority split against the 5 / 15 / 80 % target. Pure: the records store supplies
// the transition records, `GET /api/alerts/kpi` shows the result.
import type { Transition } from '../lifecycle.ts'
import { PRIORITIES, type Priority } from '../rules/types.ts'
import { alarmRate, type AlarmRate } from './rate.ts'

export type KpiRecord = Pick<Transition, 'key' | 'line' | 'equipment' | 'sensor' | 'rule' | 'priority' | 'action' | 'to' | 'at'> & { readonly area?: string }

export interface KpiOptions {
  readonly from: number
  readonly to: number
  /** equipment → area, keyed `line/equipment` or `equipment`; default: the records' own area. */
  readonly areas?: Readonly<Record<string, string>>
}

type Point = Pick<KpiRecord, 'key' | 'line' | 'equipment' | 'sensor' | 'rule' | 'priority'>
export interface Chattering extends Point { readonly activations: number; readonly maxIn60s: number }
export interface StaleAlarm extends Point { readonly since: number; readonly end?: number; readonly activeMs: number }
export interface BadActor extends Point { readonly activations: number; readonly sharePct: number }

export interface AlarmLoad {
  readonly from: number
  readonly to: number
  readonly overall: AlarmRate
  readonly areas: Readonly<Record<string, AlarmRate>>
  readonly chattering: readonly Chattering[]
  readonly stale: readonly StaleAlarm[]
  readonly badActors: readonly BadActor[]
  readonly priority: {
    readonly counts: Readonly<Record<Priority, number>>
    readonly pct: Readonly<Record<Priority, number>>
    /** EEMUA 191's three bands; critical and high together form the "high" 5 %. */
    readonly vsTarget: Readonly<Record<'high' | 'medium' | 'low', { readonly pct: number; readonly targetPct: number }>>
  }
}

export const CHATTER_WINDOW = 60_000
export const CHATTER_COUNT = 3
export const STALE_AFTER = 24 * 3_600_000
const TARGET = { high: 5, medium: 15, low: 80 } as const

const pct = (part: number, whole: number) => (whole ? Math.round((10_000 * part) / whole) / 100 : 0)
const point = ({ key, line, equipment, sensor, rule, priority }: KpiRecord): Point => ({ key, line, equipment, sensor, rule, priority })

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k)
  if (list) list.push(v)
  else m.set(k, [v])
}

/** An annunciation: the condition went active and the operator was shown it (not shelved/suppressed). */
const annunciated = (r: KpiRecord) => r.action === 'activate' && r.to === 'unacknowledged'

export function alarmLoad(records: readonly KpiRecord[], o: KpiOptions): AlarmLoad {
  const sorted = [...records].sort((a, b) => a.at - b.at)
  const shown = sorted.filter((r) => annunciated(r) && r.at >= o.from && r.at < o.to)
  const areaOf = (r: KpiRecord) => (o.areas ? o.areas[`${r.line}/${r.equipment}`] ?? o.areas[r.equipment] : r.area) ?? '(none)'

  const areaTimes = new Map<string, number[]>()
  for (const r of shown) push(areaTimes, areaOf(r), r.at)
  const areas = Object.fromEntries([...areaTimes].sort(([a], [b]) => a.localeCompare(b)).map(([a, ts]) => [a, alarmRate(ts, o.from, o.to)]))

  const byKey = new Map<string, KpiRecord[]>()
  for (const r of shown) push(byKey, r.key, r)

  // Chattering (ISA-18.2 / EEMUA 191): the same alarm annunciated 3 or more times within 60 s.
  const chattering: Chattering[] = []
  for (const rs of byKey.values()) {
    let max = 0
    for (let i = 0, j = 0; i < rs.length; i++) {
      while (rs[i].at - rs[j].at > CHATTER_WINDOW) j++
      max = Math.max(max, i - j + 1)
    }
    if (max >= CHATTER_COUNT) chattering.push({ ...point(rs[0]), activations: rs.length, maxIn60s: max })
  }
  chattering.sort((a, b) => b.maxIn60s - a.maxIn60s || b.activations - a.activations || a.key.localeCompare(b.key))

  // Stale: the condition stayed active more than 24 h (whatever the operator did with it).
  const stale: StaleAlarm[] = []
  const activeSince = new Map<string, KpiRecord>()
  const closeStale = (start: KpiRecord, end?: number) => {
    const activeMs = (end ?? o.to) - start.at
    if (activeMs > STALE_AFTER && (end ?? o.to) >= o.from) stale.push({ ...point(start), since: start.at, end, activeMs })
  }
  for (const r of sorted) {
    if (r.at >= o.to) break
    if (r.action === 'activate' && !activeSince.has(r.key)) activeSince.set(r.key, r)
    else if ((r.action === 'clear' || r.action === 'retire') && activeSince.has(r.key)) {
      closeStale(activeSince.get(r.key)!, r.at)
      activeSince.delete(r.key)
    }
  }
  for (const start of activeSince.values()) closeStale(start)
  stale.sort((a, b) => b.activeMs - a.activeMs)

  // Bad actors: the ten alarms with the most annunciations in the period.
  const badActors = [...byKey.values()]
    .map((rs) => ({ ...point(rs[0]), activations: rs.length, sharePct: pct(rs.length, shown.length) }))
    .sort((a, b) => b.activations - a.activations || a.key.localeCompare(b.key))
    .slice(0, 10)

  const counts = Object.fromEntries(PRIORITIES.map((p) => [p, shown.filter((r) => r.priority === p).length])) as Record<Priority, number>
  const band = { high: counts.critical + counts.high, medium: counts.medium, low: counts.low }
  return {
    from: o.from,
    to: o.to,
    overall: alarmRate(shown.map((r) => r.at), o.from, o.to),
    areas,
    chattering,
    stale,
    badActors,
    priority: {
      counts,
      pct: Object.fromEntries(PRIORITIES.map((p) => [p, pct(counts[p], shown.length)])) as Record<Priority, number>,
      vsTarget: {
        high: { pct: pct(band.high, shown.length), targetPct: TARGET.high },
        medium: { pct: pct(band.medium, shown.length), targetPct: TARGET.medium },
        low: { pct: pct(band.low, shown.length), targetPct: TARGET.low },
      },
    },
  }
}
