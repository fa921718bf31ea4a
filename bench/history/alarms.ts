// The history's alarms: ISA-18.2 transitions (activate → acknowledge → clear, or clear first
// and acknowledge the return to normal) for a plausible mix over the days — mostly low
// priority transmitter trouble, some medium process limits, a few high ones — the stand whose
// bearing wears (model-sql.ts) climbing through ISO 10816-3 zones C and D, and one flood
// (a power dip: many alarms in minutes, EEMUA 191's "more than 10 in 10 minutes"). Every
// alarm is acknowledged by someone of the crew on shift who covers its area.
import { shiftAt } from '../../core/shifts.ts'
import type { People } from '../../core/people.ts'
import { defaultAlarmId, type AlarmState, type Transition } from '../../alerts/lifecycle.ts'
import { ruleKey } from '../../alerts/rules/types.ts'
import type { Priority } from '../../alerts/rules/types.ts'
import { Rng } from '../../simulators/random.ts'
import { WEAR_DAYS, WORN_STAND } from './model-sql.ts'

const DAY = 86_400_000
const STANDS = ['stand1', 'stand2', 'stand3', 'stand4', 'stand5']
const ALL_EQUIPMENT = ['uncoiler', ...STANDS, 'exit']

interface Source { rule: string; priority: Priority; perDay: number; equipment: readonly string[]; sensors: readonly string[]; limit?: number; lastS: [number, number] }

// Rule ids and priorities as in config/rules.yaml.
const SOURCES: readonly Source[] = [
  { rule: 'sensor_stale', priority: 'low', perDay: 24, equipment: ALL_EQUIPMENT, sensors: ['vibration_mm_s', 'bearing_temp_C', 'speed_mps'], lastS: [20, 120] },
  { rule: 'sensor_stuck', priority: 'low', perDay: 6, equipment: STANDS, sensors: ['vibration_mm_s', 'bearing_temp_C'], lastS: [60, 300] },
  { rule: 'work_roll_temp_high', priority: 'low', perDay: 8, equipment: STANDS, sensors: ['work_roll_temp_C'], limit: 120, lastS: [120, 900] },
  { rule: 'bearing_temp_rising', priority: 'low', perDay: 4, equipment: STANDS, sensors: ['bearing_temp_C'], lastS: [300, 1800] },
  { rule: 'roll_force_high', priority: 'medium', perDay: 2, equipment: STANDS, sensors: ['roll_force_kN'], limit: 25000, lastS: [5, 60] },
  { rule: 'motor_current_high', priority: 'medium', perDay: 1.5, equipment: STANDS, sensors: ['motor_current_A'], limit: 9000, lastS: [5, 60] },
  { rule: 'hydraulic_pressure_high', priority: 'medium', perDay: 1, equipment: STANDS, sensors: ['hydraulic_pressure_bar'], limit: 300, lastS: [5, 120] },
  { rule: 'tension_high', priority: 'medium', perDay: 1, equipment: STANDS, sensors: ['tension_kN'], limit: 450, lastS: [5, 60] },
  { rule: 'tension_spike', priority: 'high', perDay: 0.5, equipment: STANDS, sensors: ['tension_kN'], lastS: [2, 10] },
  { rule: 'equipment_silent', priority: 'high', perDay: 0.2, equipment: STANDS, sensors: ['speed_mps'], lastS: [15, 120] },
]

export interface AlarmHistory {
  transitions: Transition[]
  /** each alarm point's last transition (the state the engine restores) */
  last: Map<string, Transition>
}

export function generateAlarms(o: { line: string; startMs: number; days: number; people: People; timezone: string; seed?: number }): AlarmHistory {
  const rng = Rng.seeded(o.seed ?? 6)
  const end = o.startMs + o.days * DAY
  const transitions: Transition[] = []
  const busyUntil = new Map<string, number>()
  const ackerCache = new Map<string, string>()

  const acker = (area: string | undefined, at: number): string => {
    const crew = shiftAt(at, o.people.file, o.timezone).crew ?? ''
    const k = `${crew}/${area}`
    let id = ackerCache.get(k)
    if (!id) {
      const onShift = [...o.people.byId.values()].filter((p) => p.crew === crew && (!area || p.areas?.includes(area)))
      id = (onShift.find((p) => p.roles.includes('worker')) ?? onShift[0])?.id ?? 'system'
      ackerCache.set(k, id)
    }
    return id
  }

  const occurrence = (rule: string, priority: Priority, equipment: string, sensor: string, at: number, lastMs: number, limit?: number) => {
    const key = ruleKey(o.line, equipment, sensor, rule)
    if (at >= end || (busyUntil.get(key) ?? 0) > at) return // one occurrence of a point at a time
    const area = o.people.areaOf.get(`${o.line}/${equipment}`)
    const point = { key, line: o.line, equipment, sensor, rule, priority, ...(area && { area }) }
    const alarmId = defaultAlarmId(point, at)
    const value = limit === undefined ? undefined : Math.round(limit * (1.01 + rng.float() * 0.08) * 100) / 100
    const t = (action: Transition['action'], from: AlarmState, to: AlarmState, when: number, by?: string) =>
      transitions.push({ ...point, alarmId, action, from, to, at: Math.round(when), ...(by && { by }), ...(value !== undefined && { value, limit }) })
    // Acknowledged in 20 s to ~10 min, sooner for higher priorities.
    const ackMs = (priority === 'low' ? 60_000 : 20_000) * (1 + rng.float() * (priority === 'low' ? 9 : 4))
    const clearAt = Math.min(end - 1, at + lastMs)
    const ackAt = Math.min(end - 1, at + ackMs)
    t('activate', 'normal', 'unacknowledged', at)
    if (clearAt < ackAt) {
      t('clear', 'unacknowledged', 'rtn_unacknowledged', clearAt)
      t('ack', 'rtn_unacknowledged', 'normal', ackAt, acker(area, ackAt))
    } else {
      t('ack', 'unacknowledged', 'acknowledged', ackAt, acker(area, ackAt))
      t('clear', 'acknowledged', 'normal', clearAt)
    }
    busyUntil.set(key, Math.max(clearAt, ackAt) + 1)
  }

  for (let d = 0; d < o.days; d++) {
    for (const s of SOURCES) {
      // Poisson-ish: perDay spread uniformly over the day, fractional rates by chance.
      const n = Math.floor(s.perDay) + (rng.float() < s.perDay % 1 ? 1 : 0)
      for (let i = 0; i < n; i++) {
        const at = o.startMs + (d + rng.float()) * DAY
        occurrence(s.rule, s.priority, rng.pick(s.equipment), rng.pick(s.sensors), at, 1000 * rng.range(s.lastS[0], s.lastS[1]), s.limit)
      }
    }
  }
  // The worn bearing (model-sql.ts): zone C more and more often as it wears, zone D at the end.
  const worn = `stand${WORN_STAND}`
  const [w0, w1] = WEAR_DAYS
  for (let at = o.startMs + (w0 + 0.6) * DAY; at < o.startMs + w1 * DAY; ) {
    const wear = (at - o.startMs) / DAY - w0
    occurrence('vibration_zone_c', 'medium', worn, 'vibration_mm_s', at, 1000 * rng.range(30, 400), 4.5)
    if (wear > 1.6) occurrence('vibration_zone_d', 'high', worn, 'vibration_mm_s', at + 5000, 1000 * rng.range(20, 200), 7.1)
    if (wear > 1.2 && rng.float() < 0.1) occurrence('bearing_temp_high', 'medium', worn, 'bearing_temp_C', at, 1000 * rng.range(600, 3600), 85)
    at += 60_000 * rng.range(20, 90) * (1.2 - wear / 2)
  }
  // A power dip on day 9: the drives trip, every stand goes silent and its transmitters stale.
  const dip = o.startMs + 9.4 * DAY
  STANDS.forEach((eq, i) => {
    occurrence('equipment_silent', 'high', eq, 'speed_mps', dip + i * 4000, 240_000)
    for (const [j, sensor] of ['vibration_mm_s', 'bearing_temp_C'].entries())
      occurrence('sensor_stale', 'low', eq, sensor, dip + 15_000 + i * 9000 + j * 3000, 200_000)
  })
  transitions.sort((a, b) => a.at - b.at)
  const last = new Map<string, Transition>()
  for (const t of transitions) last.set(t.key, t)
  return { transitions, last }
}
