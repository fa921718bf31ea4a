import { describe, expect, it } from 'vitest'
import type { RawPoint } from '../store/types.ts'
import { parseProducts, thicknessTolerance_um } from './products.ts'
import { summarizeCoil } from './summary.ts'
import { thicknessSummary } from './thickness.ts'

const T0 = Date.UTC(2026, 10, 25, 2, 0, 0)
/** `n` points every `stepMs` from T0, value by index. */
const series = (n: number, stepMs: number, value: (i: number) => number): RawPoint[] =>
  Array.from({ length: n }, (_, i) => ({ ts: T0 + i * stepMs, value: value(i) }))

describe('a coil with an injected thickness excursion', () => {
  // 100 s at 10 Hz and a steady 10 m/s: 1000 samples, each standing for 1 m of strip.
  // Samples 400–599 (20 % of the length) run 25 µm thick; every sample carries ±3 µm of
  // alternating noise. Target 0.5 mm; the grade's class gives ±20 µm at 0.5 mm.
  const N = 1000
  const EXCURSION = { from: 400, to: 600, by: 25 }
  const thickness = series(N, 100, (i) => 500 + (i >= EXCURSION.from && i < EXCURSION.to ? EXCURSION.by : 0) + (i % 2 ? 3 : -3))
  const speed = series(N, 100, () => 10)
  const { catalog } = parseProducts({
    toleranceClasses: { test: { bands: [{ upTo_mm: 0.6, plusMinus_um: 20 }, { upTo_mm: 1, plusMinus_um: 30 }] } },
    products: { DC01: { name: 'DC01', tolerance: 'test' } },
  })
  const tolerance_um = thicknessTolerance_um(catalog!, 'DC01', 0.5)
  const s = summarizeCoil({
    from: T0,
    to: T0 + N * 100,
    telemetry: { exit: { thickness_um: thickness, strip_speed_mps: speed } },
    stands: [],
    target_mm: 0.5,
    tolerance_um,
  }).thickness!

  it('finds the excursion\'s share of the length out of tolerance', () => {
    expect(tolerance_um).toBe(20)
    const share = (EXCURSION.to - EXCURSION.from) / N // 0.2
    expect(s.weighting).toBe('length')
    expect(s.aboveShare).toBeCloseTo(share, 12)
    expect(s.belowShare).toBe(0)
    expect(s.inToleranceShare).toBeCloseTo(1 - share, 12) // ≈ 80 %
  })

  it('matches the hand-computed mean, σ, extremes and Cpk', () => {
    // μ = 500 + 0.2 × 25 = 505 (the ±3 noise cancels in each segment)
    // σ² = 3² (noise) + 0.8 × (500 − 505)² + 0.2 × (525 − 505)² = 9 + 20 + 80 = 109
    // Cpk = min(520 − 505, 505 − 480) / (3 √109) = 15 / 31.32 = 0.4789
    expect(s.mean_um).toBeCloseTo(505, 9)
    expect(s.stdDev_um).toBeCloseTo(Math.sqrt(109), 9)
    expect(s.min_um).toBe(497)
    expect(s.max_um).toBe(528)
    expect(s.cpk).toBeCloseTo(15 / (3 * Math.sqrt(109)), 9)
    expect(s.cpk).toBeCloseTo(0.4789, 4)
    expect(s.gaugedLength_m).toBeCloseTo(1000, 9)
    expect(s.samples).toBe(N)
  })
})

describe('length weighting', () => {
  // 100 s of gauge readings at 10 Hz; the strip speed is read at 1 Hz. The first half crawls
  // at 2 m/s 10 µm thick, the second runs at 18 m/s on gauge: by length the thick part is
  // 2 / (2 + 18) = 10 % of the coil, by sample count it would be 50 %.
  const thickness = series(1000, 100, (i) => (i < 500 ? 510 : 500))
  const speed = series(100, 1000, (i) => (i < 50 ? 2 : 18))
  const s = thicknessSummary(thickness, speed, { to: T0 + 100_000, target_um: 500, tolerance_um: 8 })!

  it('counts a slow segment for the strip length it holds, not for its samples', () => {
    expect(s.mean_um).toBeCloseTo((2 * 510 + 18 * 500) / 20, 9) // 501, not 505
    expect(s.aboveShare).toBeCloseTo(2 / 20, 12)
    expect(s.gaugedLength_m).toBeCloseTo(50 * 2 + 50 * 18, 6)
  })

  it('leaves a standing strip out: the gauge measures one spot over and over', () => {
    const stops = series(1000, 100, (i) => (i < 100 ? 0 : 10))
    const parked = series(1000, 100, (i) => (i < 100 ? 900 : 500))
    const r = thicknessSummary(parked, stops, { to: T0 + 100_000 })!
    expect(r.max_um).toBe(500)
    expect(r.mean_um).toBe(500)
    expect(r.gaugedLength_m).toBeCloseTo(900, 9)
  })

  it('gives a gauge dropout\'s length to no sample', () => {
    // 10 s of readings, a 30 s hole, 10 s more; the reading before the hole is 600 µm.
    const before = series(100, 100, (i) => (i === 99 ? 600 : 500))
    const after = series(100, 100, () => 500).map((p) => ({ ...p, ts: p.ts + 40_000 }))
    const r = thicknessSummary([...before, ...after], series(500, 100, () => 10), { to: T0 + 50_000 })!
    // The 600 µm sample stands for 5 × 100 ms (the default cap) at 10 m/s = 5 m, not the
    // 301 m up to the next reading; the other 199 samples stand for 1 m each.
    expect(r.gaugedLength_m).toBeCloseTo(199 + 5, 9)
    expect(r.mean_um).toBeCloseTo(500 + (100 * 5) / 204, 9)
  })

  it('falls back to counting samples when there is no strip speed', () => {
    const r = thicknessSummary(thickness, [], { to: T0 + 100_000 })!
    expect(r.weighting).toBe('samples')
    expect(r.gaugedLength_m).toBeUndefined()
    expect(r.mean_um).toBeCloseTo(505, 9)
  })

  it('reports no share and no Cpk without a tolerance, and no Cpk for a flat trace', () => {
    const r = thicknessSummary(thickness, speed, { to: T0 + 100_000, target_um: 500 })!
    expect(r.inToleranceShare).toBeUndefined()
    expect(r.cpk).toBeUndefined()
    const flat = thicknessSummary(series(10, 100, () => 500), speed, { to: T0 + 1000, target_um: 500, tolerance_um: 5 })!
    expect(flat.inToleranceShare).toBe(1)
    expect(flat.cpk).toBeUndefined()
  })
})
