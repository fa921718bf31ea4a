// "How it was rolled" (issue 5): a pure function of a coil's telemetry window and attributes.
// The wiring fetches each series with TimeSeriesStore.range over [start, finish) and passes
// them in; nothing here does I/O. A 10-minute coil at 10 Hz on ~60 sensors is ~360k points,
// so everything is one or two plain loops per series (coils/bench-summary.ts measures it).
import type { AlarmOccurrence } from '../core/payloads.ts'
import type { Line } from '../core/plant.ts'
import type { RawPoint } from '../store/types.ts'
import { thicknessSummary, type ThicknessSummary } from './thickness.ts'
import { ISO_10816_3, vibrationZone, type VibrationZone, type ZoneBoundaries } from './vibration-zone.ts'

export type Series = readonly RawPoint[]

/** The sensors the summary reads by name (DESIGN.md, "the default plant model"). */
export const SENSORS = Object.freeze({
  thickness: 'thickness_um',
  stripSpeed: 'strip_speed_mps',
  rollForce: 'roll_force_kN',
  tension: 'tension_kN',
  speed: 'speed_mps',
  vibration: 'vibration_mm_s',
})

/** An alarm that was active while the coil was on the mill; the alerts part supplies them. */
export type CoilAlarm = AlarmOccurrence

export interface SummaryInput {
  /** the coil's time on the mill, [from, to) in epoch ms */
  from: number
  to: number
  /** equipment → sensor → points, oldest first, as TimeSeriesStore.range returns them */
  telemetry: Readonly<Record<string, Readonly<Record<string, Series>>>>
  /** the rolling stands in mill order (see standsOf) */
  stands: readonly string[]
  /** the equipment with the thickness gauge and strip speed; default `exit` */
  exit?: string
  /** the coil's target exit thickness and the grade's ± tolerance (coils/products.ts) */
  target_mm?: number
  tolerance_um?: number
  alarms?: readonly CoilAlarm[]
}

export interface SummaryOptions {
  /** ISO 10816-3 zone boundaries for the stands; default group 1 (2.3 / 4.5 / 7.1 mm/s) */
  zones?: ZoneBoundaries
  /** see ThicknessOptions.maxGapMs */
  maxGapMs?: number
}

export interface SeriesStats {
  equipment: string
  sensor: string
  samples: number
  mean: number
  min: number
  max: number
  /** when the maximum was first reached, epoch ms */
  maxAt: number
}

export interface StandSummary {
  id: string
  rollForce_kN?: { mean: number; max: number }
  tension_kN?: { mean: number; max: number }
  speed_mps?: { mean: number; max: number }
  /** the peak velocity RMS and its ISO 10816-3 zone */
  vibration?: { peak_mm_s: number; peakAt: number; zone: VibrationZone }
}

export interface ProcessSummary {
  from: number
  to: number
  /** ∫ exit strip speed dt over the window (trapezoids between readings), m */
  length_m: number
  thickness?: ThicknessSummary
  stands: StandSummary[]
  /** mean / min / max of every series given, for the coil page's detail table */
  sensors: SeriesStats[]
  zones: ZoneBoundaries
  alarms: CoilAlarm[]
}

/** The rolling stands of a line, in the plant model's order: equipment of class `stand`. */
export const standsOf = (line: Line): string[] => [...line.equipment.values()].filter((e) => e.class === 'stand').map((e) => e.id)

/** The series itself when it is sorted, finite and inside [from, to) (the usual case), else a clean copy. */
export function windowed(s: Series, from: number, to: number): Series {
  let clean = true
  for (let i = 0; i < s.length && clean; i++)
    clean = s[i].ts >= from && s[i].ts < to && Number.isFinite(s[i].value) && (i === 0 || s[i].ts >= s[i - 1].ts)
  if (clean) return s
  return s.filter((p) => p.ts >= from && p.ts < to && Number.isFinite(p.value)).sort((a, b) => a.ts - b.ts)
}

function stats(equipment: string, sensor: string, s: Series): SeriesStats | undefined {
  if (s.length === 0) return undefined
  let sum = 0
  let min = Infinity
  let max = -Infinity
  let maxAt = 0
  for (let i = 0; i < s.length; i++) {
    const v = s[i].value
    sum += v
    if (v < min) min = v
    if (v > max) {
      max = v
      maxAt = s[i].ts
    }
  }
  return { equipment, sensor, samples: s.length, mean: sum / s.length, min, max, maxAt }
}

/** Strip length: trapezoidal integral of speed (m/s) over time (ms); negative speed counts as 0. */
export function integrateLength(speed: Series): number {
  let m = 0
  for (let i = 1; i < speed.length; i++)
    m += ((Math.max(0, speed[i - 1].value) + Math.max(0, speed[i].value)) / 2) * (speed[i].ts - speed[i - 1].ts)
  return m / 1000
}

export function summarizeCoil(input: SummaryInput, opts: SummaryOptions = {}): ProcessSummary {
  const { from, to } = input
  const zones = opts.zones ?? ISO_10816_3.group1
  const exitId = input.exit ?? 'exit'
  const clean: Record<string, Record<string, Series>> = {}
  const sensors: SeriesStats[] = []
  const byKey = new Map<string, SeriesStats>()
  for (const [eq, series] of Object.entries(input.telemetry)) {
    clean[eq] = {}
    for (const [sensor, points] of Object.entries(series)) {
      const s = (clean[eq][sensor] = windowed(points, from, to))
      const st = stats(eq, sensor, s)
      if (!st) continue
      sensors.push(st)
      byKey.set(`${eq}\u0000${sensor}`, st)
    }
  }
  const exit = clean[exitId] ?? {}
  const speed = exit[SENSORS.stripSpeed] ?? []
  const target_um = input.target_mm === undefined ? undefined : Math.round(input.target_mm * 1e6) / 1e3
  const thickness = thicknessSummary(exit[SENSORS.thickness] ?? [], speed, { to, target_um, tolerance_um: input.tolerance_um, maxGapMs: opts.maxGapMs })

  const meanMax = (eq: string, sensor: string) => {
    const st = byKey.get(`${eq}\u0000${sensor}`)
    return st && { mean: st.mean, max: st.max }
  }
  const stands = input.stands.map((id): StandSummary => {
    const vib = byKey.get(`${id}\u0000${SENSORS.vibration}`)
    const out: StandSummary = { id }
    const force = meanMax(id, SENSORS.rollForce)
    const tension = meanMax(id, SENSORS.tension)
    const speedStats = meanMax(id, SENSORS.speed)
    if (force) out.rollForce_kN = force
    if (tension) out.tension_kN = tension
    if (speedStats) out.speed_mps = speedStats
    if (vib) out.vibration = { peak_mm_s: vib.max, peakAt: vib.maxAt, zone: vibrationZone(vib.max, zones) }
    return out
  })

  return {
    from,
    to,
    length_m: integrateLength(speed),
    ...(thickness && { thickness }),
    stands,
    sensors,
    zones: { AB: zones.AB, BC: zones.BC, CD: zones.CD },
    alarms: [...(input.alarms ?? [])],
  }
}
