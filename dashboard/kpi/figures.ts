// The KPI figures of a period or a table of periods, from the three inputs one read fetches
// (dashboard/kpi/source.ts): the coils finished in the range, the exit strip speed's buckets
// and the alarm transitions. Pure, so tables of hours, shifts, days or crews cost the same
// three store reads as one overview.
//   OEE = availability × performance × quality   (quality = in-tolerance share of length)
import type { AlarmTransitionRecord, Bucket, CoilFacts } from '../../store/types.ts'
import { alarmCount, alarmFigures, worstEquipment, type AlarmFigures, type WorstEquipment } from './alarms.ts'
import { inWindows, sortedBy, type Period, type Window } from './periods.ts'
import { qualityFigures, type GradeQuality } from './quality.ts'
import { speedFigures } from './speed.ts'

export interface KpiInput {
  coils: readonly CoilFacts[]
  speed: readonly Bucket[]
  stepMs: number
  transitions: readonly AlarmTransitionRecord[]
}

export interface KpiSettings {
  ratedSpeed_mps?: number
  /** "line/equipment" → area */
  areaOf: Readonly<Record<string, string>>
  /** minutes after this are the future, not missing data */
  now: number
}

export interface OeeFigures {
  oee: number | null
  availability: number | null
  performance: number | null
  quality: number | null
  runMinutes: number
  stopMinutes: number
  noDataMinutes: number
}

export interface Overview {
  production: { tonnage_t: number; coils: number; avgSpeed_mps: number | null; peakSpeed_mps: number | null }
  quality: { inTolerancePct: number | null; byGrade: GradeQuality[] }
  oee: OeeFigures
  alarms: AlarmFigures
  worstEquipment: WorstEquipment[]
}

export interface PeriodRow extends Omit<OeeFigures, 'noDataMinutes'> {
  key: string
  label: string
  from: number
  to: number
  crew?: string
  shift?: string
  tonnage_t: number
  coils: number
  avgSpeed_mps: number | null
  peakSpeed_mps: number | null
  inTolerancePct: number | null
  noDataMinutes: number
  alarms: number
}

const byFinish = new WeakMap<readonly CoilFacts[], CoilFacts[]>()
const coilsIn = (coils: readonly CoilFacts[], windows: readonly Window[]) => inWindows(sortedBy(byFinish, coils, (c) => c.finishedAt), (c) => c.finishedAt, windows)
const r = (x: number | null, d = 4) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d)

function production(input: KpiInput, windows: readonly Window[], s: KpiSettings) {
  const coils = coilsIn(input.coils, windows)
  const q = qualityFigures(coils)
  const sp = speedFigures(input.speed, input.stepMs, windows, { ratedSpeed_mps: s.ratedSpeed_mps, now: s.now })
  const quality = q.inTolerancePct === null ? null : q.inTolerancePct / 100
  const oee = sp.availability !== null && sp.performance !== null && quality !== null ? sp.availability * sp.performance * quality : null
  return {
    q,
    sp,
    oee: {
      oee: r(oee), availability: r(sp.availability), performance: r(sp.performance), quality: r(quality),
      runMinutes: r(sp.runMinutes, 1)!, stopMinutes: r(sp.stopMinutes, 1)!, noDataMinutes: r(sp.noDataMinutes, 1)!,
    },
  }
}

/** A grade's figures rounded for display (tonnes to kg, percentages to 0.01, Cpk to 0.001). */
export const roundGrade = (g: GradeQuality): GradeQuality =>
  ({ ...g, tonnage_t: r(g.tonnage_t, 3)!, inTolerancePct: r(g.inTolerancePct, 2), cpk: r(g.cpk, 3), ppk: r(g.ppk, 3) })

export function overview(input: KpiInput, windows: readonly Window[], s: KpiSettings): Overview {
  const { q, sp, oee } = production(input, windows, s)
  return {
    production: { tonnage_t: r(q.tonnage_t, 3)!, coils: q.coils, avgSpeed_mps: r(sp.avgSpeed_mps, 3), peakSpeed_mps: r(sp.peakSpeed_mps, 3) },
    quality: { inTolerancePct: r(q.inTolerancePct, 2), byGrade: q.byGrade.map(roundGrade) },
    oee,
    alarms: alarmFigures(input.transitions, windows, s.areaOf),
    worstEquipment: worstEquipment(input.transitions, windows, s.areaOf),
  }
}

export function periodRows(input: KpiInput, periods: readonly Period[], s: KpiSettings): PeriodRow[] {
  return periods.map((p) => {
    const { q, sp, oee } = production(input, p.windows, s)
    return {
      key: p.key, label: p.label, from: p.from, to: p.to,
      ...(p.crew !== undefined && { crew: p.crew }),
      ...(p.shift !== undefined && { shift: p.shift }),
      tonnage_t: r(q.tonnage_t, 3)!, coils: q.coils,
      avgSpeed_mps: r(sp.avgSpeed_mps, 3), peakSpeed_mps: r(sp.peakSpeed_mps, 3),
      inTolerancePct: r(q.inTolerancePct, 2),
      ...oee,
      alarms: alarmCount(input.transitions, p.windows),
    }
  })
}
