import { describe, expect, it } from 'vitest'
import { parseFault, resolveFaults } from './fault-spec.ts'
import { record, type Sample } from './record.ts'

const START = Date.UTC(2026, 10, 25, 2, 0, 0)
const MIN = 60_000
const SEED = 11
const baseline = record({ seed: SEED, startMs: START }, 12 * MIN)
const run = (faults: string[], ms = 12 * MIN) => record({ seed: SEED, startMs: START, faults }, ms)
const values = (s: Sample[]) => s.map((x) => x.v)
const between = (s: Sample[], from: number, to: number) => s.filter((x) => x.ts >= from && x.ts < to)
const firstAbove = (s: Sample[], level: number) => s.find((x) => x.v > level)?.ts

describe('fault syntax', () => {
  it('reads kind, target, start and duration', () => {
    expect(parseFault('bearing-wear:stand3@5m+20m')).toEqual({ kind: 'bearing-wear', equipment: 'stand3', atMs: 300_000, durationMs: 1_200_000 })
    expect(parseFault('stuck-sensor:stand2/bearing_temp_C')).toEqual({ kind: 'stuck-sensor', equipment: 'stand2', sensor: 'bearing_temp_C' })
    expect(parseFault('dropout:tcm2/exit@1h30m')).toEqual({ kind: 'dropout', line: 'tcm2', equipment: 'exit', atMs: 5_400_000 })
    expect(parseFault('thickness-excursion+45s')).toEqual({ kind: 'thickness-excursion', durationMs: 45_000 })
  })

  it('says what is wrong with a fault, all problems at once', () => {
    expect(() => parseFault('bearing-war:stand3')).toThrow(/unknown kind "bearing-war"/)
    expect(() => parseFault('bearing-wear:stand3@soon')).toThrow(/start "soon"/)
    const { faults, problems } = resolveFaults(
      ['stuck-sensor:stand2/bogus', 'dropout:tcm3/stand1', 'strip-break:stand2@1m+1m', 'bearing-wear:exit', 'stuck-sensor:stand2', 'dropout:stand9', 'strip-break'],
      ['tcm1', 'tcm2'],
      0,
    )
    expect(problems).toHaveLength(6)
    expect(problems.join('\n')).toMatch(/no sensor "bogus" on stand2[\s\S]*no line "tcm3"[\s\S]*no \+duration[\s\S]*stand or the uncoiler[\s\S]*equipment\/sensor[\s\S]*no equipment "stand9"/)
    expect(faults).toEqual([{ kind: 'strip-break', equipment: 'stand4', line: 'tcm1', atMs: 0, text: 'strip-break' }])
    expect(resolveFaults(['stuck-sensor:stand1/aux_02'], ['tcm1'], 2).problems).toEqual([])
  })
})

describe('fault scenarios', () => {
  it('bearing-wear drives one stand through zones B→C→D while the others stay healthy', () => {
    const from = START + MIN
    const to = START + 7 * MIN
    const r = run(['bearing-wear:stand3@1m+6m'], 9 * MIN)
    const vib = r.series('stand3', 'vibration_mm_s')
    const c = firstAbove(vib, 4.5)
    const d = firstAbove(vib, 7.1)
    expect(c).toBeGreaterThan(from)
    expect(d).toBeGreaterThan(c!)
    expect(d).toBeLessThan(to)
    expect(Math.max(...values(between(vib, START, from + 2 * MIN)))).toBeLessThan(4.5)
    // The bearing is changed at the end of the window: healthy again.
    expect(Math.max(...values(between(vib, to + 1000, START + 9 * MIN)))).toBeLessThan(4.5)
    for (const eq of ['uncoiler', 'stand1', 'stand2', 'stand4', 'stand5'])
      expect(Math.max(...values(r.series(eq, 'vibration_mm_s'))), eq).toBeLessThan(4.5)
    const temp = r.series('stand3', 'bearing_temp_C')
    const before = between(temp, from - 2000, from + 1000)[0].v
    const worst = Math.max(...values(between(temp, from, to)))
    expect(worst - before).toBeGreaterThan(5)
    const healthyTemp = Math.max(...values(between(baseline.series('stand3', 'bearing_temp_C'), from, to)))
    expect(worst).toBeGreaterThan(healthyTemp + 4)
  })

  it('stuck-sensor repeats the last value exactly, then lets go', () => {
    const r = run(['stuck-sensor:stand2/roll_force_kN@2m+3m'], 6 * MIN)
    const force = r.series('stand2', 'roll_force_kN')
    const last = between(force, START, START + 2 * MIN).at(-1)!.v
    const stuck = values(between(force, START + 2 * MIN, START + 5 * MIN))
    expect(stuck.length).toBe(1800)
    expect(new Set(stuck)).toEqual(new Set([last]))
    expect(new Set(values(between(force, START + 5 * MIN, START + 6 * MIN))).size).toBeGreaterThan(10)
    // Other sensors of the same stand are untouched.
    expect(r.series('stand2', 'speed_mps')).toEqual(baseline.series('stand2', 'speed_mps').filter((s) => s.ts < START + 6 * MIN))
  })

  it('dropout silences one sensor, or a whole piece of equipment, for its window', () => {
    const r = run(['dropout:stand2/vibration_mm_s@1m+1m', 'dropout:exit@3m+30s'], 5 * MIN)
    const vib = r.series('stand2', 'vibration_mm_s')
    expect(between(vib, START + MIN, START + 2 * MIN)).toEqual([])
    expect(between(vib, START, START + MIN)).toHaveLength(600)
    expect(between(vib, START + 2 * MIN, START + 3 * MIN)).toHaveLength(600)
    expect(between(r.series('stand2', 'roll_force_kN'), START + MIN, START + 2 * MIN)).toHaveLength(600)
    const exitTs = r.telemetry('exit').map((p) => p.ts as number)
    expect(exitTs.filter((t) => t >= START + 3 * MIN && t < START + 3.5 * MIN)).toEqual([])
    expect(exitTs.filter((t) => t >= START + 3.5 * MIN && t < START + 4 * MIN)).toHaveLength(300)
  })

  it('thickness-excursion puts exit thickness out of tolerance for part of a coil only', () => {
    // Find 50 s of rolling at speed in the healthy run and put a 30 s excursion in it.
    const speed = baseline.series('exit', 'strip_speed_mps')
    const t0 = speed.find((s, i) => s.v > 12 && speed[i + 500]?.v > 12 && speed[i + 500].ts - s.ts === 50_000)!.ts
    const at = (t0 - START + 10_000) / 1000
    const r = run([`thickness-excursion@${at}s+30s`])
    const dev = r.series('exit', 'thickness_dev_um')
    const from = START + at * 1000
    const inside = values(between(dev, from + 2000, from + 28_000))
    expect(inside.filter((v) => Math.abs(v) > 10).length / inside.length).toBeGreaterThan(0.9)
    expect(Math.max(...inside)).toBeLessThan(40)
    // Elsewhere the gauge reads exactly what it read in the healthy run.
    const outside = (s: Sample[]) => s.filter((x) => x.ts < from || x.ts >= from + 30_000)
    expect(outside(dev)).toEqual(outside(baseline.series('exit', 'thickness_dev_um')))
    const coil = r.coilEvents().find((e) => e.event === 'finish' && (e.ts as number) > from)!
    expect(coil.inTolerance_pct).toBeLessThan(95)
    expect(coil.inTolerance_pct).toBeGreaterThan(50)
  })

  it('strip-break spikes the tension, then tension collapses, the line stops and the coil ends early', () => {
    const r = run(['strip-break:stand4@2m'], 10 * MIN)
    const finish = r.coilEvents().find((e) => e.event === 'finish')!
    expect(finish.status).toBe('broken')
    expect(finish.reason).toBe('strip-break')
    expect(finish.rolledLength_m as number).toBeLessThan(0.95 * finish.length_m!)
    const t = finish.ts as number
    const tension = r.series('stand4', 'tension_kN')
    const running = between(tension, t - 20_000, t - 8000)
    const set = values(running).reduce((a, b) => a + b) / running.length
    const spike = Math.max(...values(between(tension, t - 8000, t)))
    expect(spike).toBeGreaterThan(1.4 * set)
    const spikeAt = between(tension, t - 8000, t).find((s) => s.v === spike)!.ts
    expect(Math.max(...values(between(tension, spikeAt + 300, t + 60_000)))).toBe(0)
    for (const eq of ['stand1', 'stand5']) expect(Math.max(...values(between(r.series(eq, 'tension_kN'), spikeAt + 300, t)))).toBe(0)
    const speed = r.series('exit', 'strip_speed_mps')
    expect(between(speed, spikeAt + 300, spikeAt + 1000).every((s) => s.v > 5)).toBe(true) // emergency stop from speed…
    expect(between(speed, t, t + 60_000).every((s) => s.v === 0)).toBe(true) // …to standstill
    expect(t - spikeAt).toBeLessThan(8000)
    // The mill is cleared and re-threaded, then the next coil starts.
    const next = r.coilEvents().find((e) => e.event === 'start' && (e.ts as number) > t)
    expect(next).toBeDefined()
    expect((next!.ts as number) - t).toBeGreaterThanOrEqual(120_000)
  })
})
