// The KPI calculations against the hand-checked day in fixture.ts: periods in plant time,
// tonnage per shift across midnight and shift changes, OEE and its factors, Cpk, by crew,
// MTTA/MTTR and the EEMUA figures.
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { alarmFigures, worstEquipment } from './alarms.ts'
import { at, COILS, FROM, TO, TRANSITIONS, speedBuckets } from './fixture.ts'
import { overview, periodRows, type KpiInput } from './figures.ts'
import { filteredWindows, periods } from './periods.ts'
import { pooledCapability } from './quality.ts'

const config = loadConfig({})
const people = config.people.file
const tz = 'Asia/Shanghai'
const input: KpiInput = { coils: COILS, speed: speedBuckets(), stepMs: 60_000, transitions: TRANSITIONS }
const settings = { ratedSpeed_mps: 25, areaOf: Object.fromEntries(config.people.areaOf), now: TO + 3_600_000 }
const rows = (by: 'hour' | 'shift' | 'day' | 'crew') => periodRows(input, periods(by, FROM, TO, people, tz), settings)

describe('periods in plant time', () => {
  it('splits by shift with the crew on duty, clipped to the range', () => {
    expect(periods('shift', FROM, TO, people, tz).map((p) => [p.key, p.label, p.from, p.to])).toEqual([
      ['2025-11-24/day', '2025-11-24 day · crew D', FROM, at('2025-11-24T16:00:00')],
      ['2025-11-24/evening', '2025-11-24 evening · crew A', at('2025-11-24T16:00:00'), at('2025-11-25T00:00:00')],
      ['2025-11-25/night', '2025-11-25 night · crew B', at('2025-11-25T00:00:00'), TO],
    ])
  })

  it('splits by plant-local day and hour', () => {
    expect(periods('day', FROM, TO, people, tz).map((p) => [p.key, p.from, p.to])).toEqual([
      ['2025-11-24', FROM, at('2025-11-25T00:00:00')],
      ['2025-11-25', at('2025-11-25T00:00:00'), TO],
    ])
    const hours = periods('hour', FROM + 30 * 60_000, TO, people, tz)
    expect(hours).toHaveLength(12)
    expect(hours[0]).toMatchObject({ key: '2025-11-24T14', label: '2025-11-24 14:00', from: FROM + 30 * 60_000, to: at('2025-11-24T15:00:00') })
    expect(hours[10]).toMatchObject({ key: '2025-11-25T00', label: '2025-11-25 00:00' })
  })

  it('a half-hour zone has hours on its own half hours', () => {
    const h = periods('hour', Date.parse('2025-11-24T00:00:00Z'), Date.parse('2025-11-24T02:00:00Z'), people, 'Asia/Kolkata')
    expect(h.map((p) => p.label)).toEqual(['2025-11-24 05:00', '2025-11-24 06:00', '2025-11-24 07:00'])
    expect(h[1].from).toBe(Date.parse('2025-11-24T00:30:00Z'))
  })

  it('a crew filter keeps only the shifts that crew worked', () => {
    expect(filteredWindows(FROM, TO, { crew: 'A' }, people, tz)).toEqual([{ from: at('2025-11-24T16:00:00'), to: at('2025-11-25T00:00:00') }])
    expect(filteredWindows(FROM, TO, { shift: 'night' }, people, tz)).toEqual([{ from: at('2025-11-25T00:00:00'), to: TO }])
    expect(filteredWindows(FROM, TO, { crew: 'C' }, people, tz)).toEqual([])
  })
})

describe('production per period', () => {
  it('counts a coil in the shift where it finished, across the shift change and midnight', () => {
    expect(rows('shift').map((r) => [r.crew, r.tonnage_t, r.coils])).toEqual([['D', 20, 1], ['A', 40, 2], ['B', 46, 2]])
    expect(rows('day').map((r) => [r.key, r.tonnage_t, r.coils])).toEqual([['2025-11-24', 60, 3], ['2025-11-25', 46, 2]])
    const byHour = rows('hour')
    expect(byHour.find((r) => r.key === '2025-11-24T23')!.tonnage_t).toBe(18)
    expect(byHour.find((r) => r.key === '2025-11-25T00')!.tonnage_t).toBe(25)
    expect(byHour.reduce((t, r) => t + r.tonnage_t, 0)).toBe(106)
  })

  it('OEE = availability × performance × quality per shift', () => {
    expect(rows('shift').map((r) => [r.runMinutes, r.stopMinutes, r.availability, r.performance, r.quality, r.oee])).toEqual([
      [120, 0, 1, 0.8, 1, 0.8],
      [450, 30, 0.9375, 0.8, 0.8, 0.6],
      [60, 60, 0.5, 0.6, 0.9, 0.27],
    ])
  })

  it('by crew: one row per crew that worked in the range, by crew name', () => {
    expect(rows('crew').map((r) => [r.key, r.tonnage_t, r.oee])).toEqual([['A', 40, 0.6], ['B', 46, 0.27], ['D', 20, 0.8]])
  })

  it('the overview: speed, availability over the whole range, peak speed', () => {
    const o = overview(input, [{ from: FROM, to: TO }], settings)
    expect(o.production).toEqual({ tonnage_t: 106, coils: 5, avgSpeed_mps: 19.524, peakSpeed_mps: 22 })
    // run 630 of 720 minutes; mean running speed 12300/630 m/s; quality 4000/4500 of the length
    expect(o.oee).toMatchObject({ runMinutes: 630, stopMinutes: 90, availability: 0.875, performance: 0.781, quality: 0.8889, oee: 0.6074 })
    expect(o.quality.inTolerancePct).toBe(88.89)
  })

  it('minutes without readings are neither run nor stop; the future is not missing data', () => {
    const o = overview(input, [{ from: FROM - 3_600_000, to: TO + 3_600_000 }], { ...settings, now: TO + 1_800_000 })
    expect(o.oee).toMatchObject({ runMinutes: 630, stopMinutes: 90, noDataMinutes: 90, availability: 0.875 })
  })
})

describe('Cpk pooled in tolerance units', () => {
  const coil = (mean_um: number, stdDev_um: number, target_um: number, tolerance_um: number) =>
    ({ id: 'x', line: 'tcm1', finishedAt: 0, thickness: { mean_um, stdDev_um, samples: 100, gaugedLength_m: 1000, target_um, tolerance_um } })

  it('one coil: the textbook min(USL − μ, μ − LSL) / 3σ', () => {
    // USL 550, LSL 450, μ 505, σ 10 → 45 / 30
    expect(pooledCapability([coil(505, 10, 500, 50)]).cpk).toBeCloseTo(1.5, 10)
  })

  it('two coils: Cpk from the within-coil σ, Ppk adds the spread between coils', () => {
    // m = ±0.2, s = 0.2 and 0.4: σ_within = √0.1, σ_overall = √0.14, M = 0
    const c = pooledCapability([coil(510, 10, 500, 50), coil(490, 20, 500, 50)])
    expect(c.cpk).toBeCloseTo(1 / (3 * Math.sqrt(0.1)), 10) // 1.054
    expect(c.ppk).toBeCloseTo(1 / (3 * Math.sqrt(0.14)), 10) // 0.891
  })

  it('a grade rolled to two targets with different tolerances pools as one process', () => {
    const c = pooledCapability([coil(510, 10, 500, 50), coil(1020, 20, 1000, 100)])
    expect(c.cpk).toBeCloseTo(0.8 / 0.6, 10)
    expect(c.ppk).toBeCloseTo(0.8 / 0.6, 10)
  })

  it('no tolerance or no spread: no Cpk rather than a wrong one', () => {
    expect(pooledCapability([{ ...coil(500, 10, 500, 50), thickness: { mean_um: 500, stdDev_um: 10, samples: 1 } }])).toEqual({ cpk: null, ppk: null })
    expect(pooledCapability([coil(500, 0, 500, 50)]).cpk).toBeNull()
  })

  it('per grade in the overview', () => {
    const g = overview(input, [{ from: FROM, to: TO }], settings).quality.byGrade
    expect(g.map((x) => [x.grade, x.coils, x.tonnage_t])).toEqual([['DC01', 3, 67], ['SPCC', 2, 39]])
    // DC01: m = 0.2, −0.2, 0; s = 0.2, 0.4, 0.3 → σ_within² = 0.29 / 3
    expect(g[0].cpk).toBeCloseTo(1 / (3 * Math.sqrt(0.29 / 3)), 3)
  })
})

describe('alarm figures', () => {
  const areaOf = settings.areaOf
  it('MTTA and MTTR over the occurrences raised in the period', () => {
    const a = alarmFigures(TRANSITIONS, [{ from: FROM, to: TO }], areaOf)
    expect(a).toMatchObject({ total: 3, mttaMs: 3 * 60_000, mttrMs: Math.round((35 / 3) * 60_000), acknowledged: 2, recovered: 3 })
    expect(a.per10min).toBe(0.04) // 3 alarms in 720 minutes
    expect(a.perArea.map((x) => [x.area, x.total, x.floods, x.chattering, x.stale])).toEqual([['exit', 1, 0, 0, 0], ['stands', 2, 0, 0, 0]])
    expect(a.priority.counts.high).toBe(3)
  })

  it('per shift: only the alarms raised in it', () => {
    expect(rows('shift').map((r) => r.alarms)).toEqual([1, 1, 1])
    const night = alarmFigures(TRANSITIONS, [{ from: at('2025-11-25T00:00:00'), to: TO }], areaOf)
    expect(night).toMatchObject({ total: 1, mttaMs: 4 * 60_000, mttrMs: 20 * 60_000 })
  })

  it('the worst equipment first', () => {
    expect(worstEquipment(TRANSITIONS, [{ from: FROM, to: TO }], areaOf)).toEqual([
      { line: 'tcm1', equipment: 'stand2', area: 'stands', alarms: 2 },
      { line: 'tcm1', equipment: 'exit', area: 'exit', alarms: 1 },
    ])
  })
})
