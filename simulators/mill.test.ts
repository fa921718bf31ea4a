import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { STEEL_DENSITY_T_M3 } from './coils.ts'
import { record, type Sample } from './record.ts'

const START = Date.UTC(2026, 10, 25, 2, 0, 0)
const MIN = 60_000
// One healthy half-hour run shared by the tests that only read it.
const healthy = record({ seed: 7, startMs: START }, 30 * MIN)

interface PlantYaml {
  classes: Record<string, { sensors: Record<string, { range: [number, number] }> }>
  lines: Record<string, { equipment: Record<string, { class?: string; sensors?: Record<string, { range: [number, number] }> }> }>
}
const plant = parse(readFileSync(new URL('../config/plant.yaml', import.meta.url), 'utf8')) as PlantYaml
const declared = (equipment: string) => {
  const eq = plant.lines.tcm1.equipment[equipment]
  return { ...(eq.class ? plant.classes[eq.class].sensors : {}), ...(eq.sensors ?? {}) }
}

const std = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length)
}
const within = (s: Sample[], from: number, to: number) => s.filter((x) => x.ts >= from && x.ts <= to)

describe('the mill model', () => {
  it('gives the same message stream for the same seed, and another for another seed', () => {
    const opts = { startMs: START, faults: ['bearing-wear:stand2@1m+3m', 'dropout:exit/flatness_IU@2m+1m'] }
    const a = JSON.stringify(record({ ...opts, seed: 3 }, 5 * MIN).messages)
    const b = JSON.stringify(record({ ...opts, seed: 3 }, 5 * MIN).messages)
    const c = JSON.stringify(record({ ...opts, seed: 4 }, 5 * MIN).messages)
    expect(a).toBe(b)
    expect(c).not.toBe(a)
  })

  it('publishes exactly the sensors of config/plant.yaml, within their ranges', () => {
    const topics = new Set(healthy.messages.map((m) => m.topic))
    expect([...topics].sort()).toEqual(
      ['plant/tcm1/coil', ...Object.keys(plant.lines.tcm1.equipment).map((e) => `plant/tcm1/${e}/telemetry`)].sort(),
    )
    for (const equipment of Object.keys(plant.lines.tcm1.equipment)) {
      const sensors = declared(equipment)
      const seen = new Set<string>()
      const problems = new Set<string>()
      for (const p of healthy.telemetry(equipment)) {
        if (typeof p.ts !== 'number') problems.add(`ts ${p.ts}`)
        for (const [sensor, value] of Object.entries(p.values)) {
          seen.add(sensor)
          const range = sensors[sensor]?.range
          if (!range) problems.add(`${equipment}/${sensor} is not declared`)
          else if (!(value >= range[0] && value <= range[1])) problems.add(`${equipment}/${sensor} = ${value} outside [${range}]`)
        }
      }
      expect([...problems]).toEqual([])
      expect([...seen].sort()).toEqual(Object.keys(sensors).sort())
    }
  })

  it('publishes 10 Hz sensors every tick and 1 Hz sensors every tenth', () => {
    const stand = healthy.telemetry('stand1').slice(0, 100)
    expect(stand).toHaveLength(100)
    expect(stand.filter((p) => 'bearing_temp_C' in p.values)).toHaveLength(10)
    expect(stand.every((p) => 'roll_force_kN' in p.values)).toBe(true)
  })

  it('keeps healthy vibration in ISO 10816-3 zone A/B: below 4.5 mm/s, nearly always below 2.3', () => {
    for (const eq of ['uncoiler', 'stand1', 'stand2', 'stand3', 'stand4', 'stand5']) {
      const v = healthy.series(eq, 'vibration_mm_s').map((s) => s.v)
      expect(Math.max(...v), eq).toBeLessThan(4.5)
      expect(v.filter((x) => x < 2.3).length / v.length, eq).toBeGreaterThan(0.99)
    }
    // …and higher at speed than at standstill.
    const v5 = healthy.series('stand5', 'vibration_mm_s')
    const speed = healthy.series('stand5', 'speed_mps')
    const fast = v5.filter((_, i) => speed[i].v > 15).map((s) => s.v)
    const still = v5.filter((_, i) => speed[i].v === 0).map((s) => s.v)
    expect(fast.reduce((a, b) => a + b) / fast.length).toBeGreaterThan(2 * (still.reduce((a, b) => a + b) / still.length))
  })

  it('rolls coils one after another, each a start/finish pair with plausible attributes', () => {
    const events = healthy.coilEvents()
    expect(events.length).toBeGreaterThanOrEqual(10)
    const ids = new Set<string>()
    for (let i = 0; i + 1 < events.length; i += 2) {
      const [start, finish] = [events[i], events[i + 1]]
      expect([start.event, finish.event]).toEqual(['start', 'finish'])
      expect(finish.coilId).toBe(start.coilId)
      expect(start.coilId).toMatch(/^C\d{6}1\d{4}$/)
      expect(ids.has(start.coilId)).toBe(false)
      ids.add(start.coilId)
      expect(finish.status).toBe('complete')
      expect(start.entryThickness_mm).toBeGreaterThanOrEqual(2)
      expect(start.entryThickness_mm).toBeLessThanOrEqual(4)
      expect(start.targetThickness_mm).toBeGreaterThanOrEqual(0.3)
      expect(start.targetThickness_mm).toBeLessThanOrEqual(1.5)
      expect(start.width_mm).toBeGreaterThanOrEqual(900)
      expect(start.width_mm).toBeLessThanOrEqual(1500)
      expect(start.weight_t).toBeGreaterThanOrEqual(15)
      expect(start.weight_t).toBeLessThanOrEqual(30)
      expect(['SPCC', 'DC01', 'SPCD', 'DC03', 'DC04']).toContain(start.grade)
      expect(start.parentId).toMatch(new RegExp(`^H${start.heat}\\d{2}$`))
      const length = start.weight_t! / (STEEL_DENSITY_T_M3 * (start.width_mm! / 1000) * (start.targetThickness_mm! / 1000))
      expect(start.length_m).toBeCloseTo(length, 0)
      expect(Math.abs((finish.rolledLength_m as number) - start.length_m!)).toBeLessThan(0.01 * start.length_m!)
      expect(finish.ts as number).toBeGreaterThan(start.ts as number)
      if (i + 2 < events.length) expect((events[i + 2].ts as number) - (finish.ts as number)).toBeGreaterThanOrEqual(20_000)
    }
  })

  it('threads at 1–2 m/s, runs at 15–25 m/s and stops between coils', () => {
    const events = healthy.coilEvents()
    const speed = healthy.series('exit', 'strip_speed_mps')
    for (let i = 0; i + 1 < events.length; i += 2) {
      const during = within(speed, events[i].ts as number, events[i + 1].ts as number).map((s) => s.v)
      const max = Math.max(...during)
      expect(max).toBeGreaterThanOrEqual(15)
      expect(max).toBeLessThan(25)
      const threading = within(speed, (events[i].ts as number) + 2000, (events[i].ts as number) + 10_000).map((s) => s.v)
      expect(Math.min(...threading)).toBeGreaterThan(1)
      expect(Math.max(...threading)).toBeLessThan(2)
      if (i + 2 < events.length) {
        const gap = within(speed, (events[i + 1].ts as number) + 1000, (events[i + 2].ts as number) - 1000).map((s) => s.v)
        expect(Math.max(...gap)).toBe(0)
      }
    }
  })

  it('holds exit thickness within a few µm of target, wandering rather than white noise', () => {
    const events = healthy.coilEvents()
    const thickness = healthy.series('exit', 'thickness_um')
    const dev = healthy.series('exit', 'thickness_dev_um')
    for (let i = 0; i + 1 < events.length; i += 2) {
      const target = events[i].targetThickness_mm! * 1000
      const coil = within(thickness, events[i].ts as number, events[i + 1].ts as number).map((s) => s.v)
      const mean = coil.reduce((a, b) => a + b) / coil.length
      expect(Math.abs(mean - target)).toBeLessThan(2)
      expect(std(coil)).toBeGreaterThan(1)
      expect(std(coil)).toBeLessThan(8)
      expect(events[i + 1].thicknessStdDev_um).toBeCloseTo(std(coil), 0)
      // thickness_dev_um is measured − target, in µm.
      const devs = within(dev, events[i].ts as number, events[i + 1].ts as number).map((s) => s.v)
      expect(coil.filter((x, k) => Math.abs(devs[k] - (x - target)) > 0.051)).toEqual([])
    }
    const d = dev.map((s) => s.v)
    // Lag-1 autocorrelation of the deviation: clearly positive (white noise would give ≈ 0).
    const m = d.reduce((a, b) => a + b) / d.length
    let num = 0
    let den = 0
    for (let i = 1; i < d.length; i++) (num += (d[i] - m) * (d[i - 1] - m)), (den += (d[i] - m) ** 2)
    expect(num / den).toBeGreaterThan(0.5)
    expect(d.filter((x) => Math.abs(x) > 10).length / d.length).toBeLessThan(0.005)
  })

  it('keeps mass flow: stand 5 speed × exit thickness = entry speed × entry thickness', () => {
    const events = healthy.coilEvents()
    const entry = healthy.series('uncoiler', 'speed_mps')
    const stands = [1, 2, 3, 4, 5].map((i) => healthy.series(`stand${i}`, 'speed_mps'))
    let checked = 0
    for (let i = 0; i + 1 < events.length; i += 2) {
      const [a, b] = [events[i].ts as number, events[i + 1].ts as number]
      for (let k = 0; k < entry.length; k += 50) {
        if (entry[k].ts < a || entry[k].ts > b || stands[4][k].v < 10) continue
        const exitFlow = stands[4][k].v * events[i].targetThickness_mm!
        const entryFlow = entry[k].v * events[i].entryThickness_mm!
        expect(Math.abs(exitFlow / entryFlow - 1)).toBeLessThan(0.03)
        for (let s = 1; s < 5; s++) expect(stands[s][k].v).toBeGreaterThan(stands[s - 1][k].v)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(100)
  })

  it('lets roll force and motor current follow the reduction and the speed', () => {
    // A heavier reduction in stand 1 than in stand 5 takes more force per unit width;
    // current rises with speed as power does.
    const f1 = healthy.series('stand1', 'roll_force_kN').map((s) => s.v).filter((v) => v > 0)
    const f5 = healthy.series('stand5', 'roll_force_kN').map((s) => s.v).filter((v) => v > 0)
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
    expect(median(f1)).toBeGreaterThan(median(f5))
    const i4 = healthy.series('stand4', 'motor_current_A')
    const v4 = healthy.series('stand4', 'speed_mps')
    const at = (lo: number, hi: number) => median(i4.filter((_, k) => v4[k].v > lo && v4[k].v < hi).map((s) => s.v))
    expect(at(15, 30)).toBeGreaterThan(at(0.5, 3))
  })

  it('drives several lines with their own coils and IDs', () => {
    const r = record({ seed: 1, startMs: START, lines: 3 }, 2 * MIN)
    const ids = ['tcm1', 'tcm2', 'tcm3'].map((l) => r.coilEvents(l)[0]?.coilId)
    expect(ids.every((id) => id !== undefined)).toBe(true)
    expect(new Set(ids).size).toBe(3)
    expect(ids[1]).toMatch(/^C\d{6}2\d{4}$/)
    // Line 1 does not change when lines are added.
    const alone = record({ seed: 1, startMs: START }, 2 * MIN).messages
    expect(JSON.stringify(r.messages.filter((m) => m.topic.startsWith('plant/tcm1/')))).toBe(JSON.stringify(alone))
  })

  it('adds aux_01…aux_K to every piece of equipment, and scales with the rate', () => {
    const r = record({ seed: 1, startMs: START, rateHz: 50, extraSensors: 3 }, 2000)
    const stand = r.telemetry('stand2')
    expect(stand).toHaveLength(100)
    expect(Object.keys(stand[1].values)).toEqual(expect.arrayContaining(['aux_01', 'aux_02', 'aux_03']))
    expect(stand.filter((p) => 'bearing_temp_C' in p.values)).toHaveLength(10) // 1 Hz × 50/10
    expect(stand.every((p) => p.values.aux_03 >= 0 && p.values.aux_03 <= 100)).toBe(true)
  })
})
