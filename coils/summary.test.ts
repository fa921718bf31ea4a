import { describe, expect, it } from 'vitest'
import { plantFileSchema, resolvePlant } from '../core/plant.ts'
import type { RawPoint } from '../store/types.ts'
import { standsOf, summarizeCoil, windowed, type CoilAlarm } from './summary.ts'
import { syntheticCoil } from './synthetic-coil.ts'
import { ISO_10816_3, vibrationZone } from './vibration-zone.ts'

const T0 = Date.UTC(2026, 10, 25, 2, 0, 0)
const series = (n: number, stepMs: number, value: (i: number) => number): RawPoint[] =>
  Array.from({ length: n }, (_, i) => ({ ts: T0 + i * stepMs, value: value(i) }))

describe('ISO 10816-3 vibration zones', () => {
  it.each([
    [0, 'A'], [2.3, 'A'], [2.3001, 'B'], [4.5, 'B'], [4.5001, 'C'], [7.1, 'C'], [7.1001, 'D'], [45, 'D'],
  ] as const)('group 1: %s mm/s is zone %s', (v, zone) => {
    expect(vibrationZone(v)).toBe(zone)
  })

  it.each([
    [1.4, 'A'], [1.41, 'B'], [2.8, 'B'], [2.81, 'C'], [4.5, 'C'], [4.51, 'D'],
  ] as const)('group 2: %s mm/s is zone %s', (v, zone) => {
    expect(vibrationZone(v, ISO_10816_3.group2)).toBe(zone)
  })
})

describe('summarizeCoil', () => {
  const N = 600 // 60 s at 10 Hz
  const alarms: CoilAlarm[] = [
    { id: 'a1', line: 'tcm1', equipment: 'stand3', sensor: 'vibration_mm_s', rule: 'iso10816-zone-c', priority: 'medium', raisedAt: T0 + 20_000, value: 4.6 },
  ]
  const input = {
    from: T0,
    to: T0 + N * 100,
    stands: ['stand1', 'stand2'],
    target_mm: 0.5,
    tolerance_um: 20,
    alarms,
    telemetry: {
      exit: { thickness_um: series(N, 100, () => 500), strip_speed_mps: series(N, 100, (i) => (i < 100 ? i / 10 : 10)) },
      stand1: {
        roll_force_kN: series(N, 100, (i) => 10_000 + i), // mean 10 299.5, max 10 599
        tension_kN: series(N, 100, (i) => (i % 2 ? 150 : 250)), // mean 200, max 250
        speed_mps: series(N, 100, () => 4),
        vibration_mm_s: series(N, 100, (i) => (i === 300 ? 4.5 : 1)), // peak exactly on B/C
      },
      stand2: { vibration_mm_s: series(N, 100, (i) => (i === 450 ? 4.51 : 1)) }, // just over it
    },
  }

  it('gives each stand its mean and max roll force, tension and speed', () => {
    const [s1, s2] = summarizeCoil(input).stands
    expect(s1.id).toBe('stand1')
    expect(s1.rollForce_kN).toEqual({ mean: 10_000 + (N - 1) / 2, max: 10_000 + N - 1 })
    expect(s1.tension_kN).toEqual({ mean: 200, max: 250 })
    expect(s1.speed_mps).toEqual({ mean: 4, max: 4 })
    expect(s2.rollForce_kN).toBeUndefined()
  })

  it('gives each stand its peak vibration zone, boundaries as a parameter', () => {
    const g1 = summarizeCoil(input).stands
    expect(g1[0].vibration).toEqual({ peak_mm_s: 4.5, peakAt: T0 + 30_000, zone: 'B' })
    expect(g1[1].vibration).toEqual({ peak_mm_s: 4.51, peakAt: T0 + 45_000, zone: 'C' })
    const g2 = summarizeCoil(input, { zones: ISO_10816_3.group2 })
    expect(g2.stands.map((s) => s.vibration?.zone)).toEqual(['C', 'D'])
    expect(g2.zones).toEqual(ISO_10816_3.group2)
  })

  it('measures the length by integrating the strip speed', () => {
    // 10 s ramp 0 → 9.9 m/s (trapezoids: 0.1 s × Σ of averages) then 49.9 s at 10 m/s
    let ramp = 0
    for (let i = 1; i < 100; i++) ramp += (((i - 1) / 10 + i / 10) / 2) * 0.1
    const rampToSteady = ((9.9 + 10) / 2) * 0.1
    expect(summarizeCoil(input).length_m).toBeCloseTo(ramp + rampToSteady + 499 * 0.1 * 10, 9)
  })

  it('keeps the alarms it was given and summarizes every series', () => {
    const s = summarizeCoil(input)
    expect(s.alarms).toEqual(alarms)
    expect(s.sensors).toHaveLength(7)
    expect(s.sensors.find((x) => x.equipment === 'stand1' && x.sensor === 'tension_kN')).toMatchObject({ samples: N, min: 150, max: 250 })
    expect(s.thickness).toMatchObject({ mean_um: 500, inToleranceShare: 1 })
  })

  it('ignores readings outside the window or not finite, and sorts an unsorted series', () => {
    const s = series(10, 100, (i) => i)
    const messy = [s[5], { ts: T0 - 1, value: 99 }, s[1], { ts: T0 + 300, value: NaN }, s[9], { ts: T0 + 1000, value: 99 }]
    expect(windowed(messy, T0, T0 + 1000)).toEqual([s[1], s[5], s[9]])
    expect(windowed(s, T0, T0 + 1000)).toBe(s) // the usual case is not copied
  })

  it('names a line\'s stands from the plant model', () => {
    const file = plantFileSchema.parse({
      classes: { stand: { sensors: { speed_mps: { unit: 'm/s', range: [0, 40] } } }, other: { sensors: { x: { unit: '1', range: [0, 1] } } } },
      lines: { l1: { equipment: { uncoiler: { class: 'other' }, s1: { class: 'stand' }, s2: { class: 'stand' }, exit: { class: 'other' } } } },
    })
    expect(standsOf(resolvePlant(file).plant!.lines.get('l1')!)).toEqual(['s1', 's2'])
  })

  it('summarizes a 10-minute coil at 10 Hz on 62 sensors well within a second', () => {
    const { input: big, points } = syntheticCoil({ from: T0, seconds: 600, hz: 10 })
    expect(points).toBe(372_000)
    summarizeCoil(big) // compile first, as a running service would have
    const t0 = performance.now()
    const s = summarizeCoil(big)
    const ms = performance.now() - t0
    expect(s.sensors).toHaveLength(62)
    expect(s.stands).toHaveLength(5)
    expect(ms).toBeLessThan(500)
  })
})
