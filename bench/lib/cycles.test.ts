// The soak's verdict on a sawtooth: whole reopen cycles compared, not one straight line.
import { describe, expect, it } from 'vitest'
import { judgeCycles, reopenCycles, slope, type CycleSample } from './cycles.ts'

const PERIOD = 150e6 // points per reopen: 10 minutes at 15M points/min
/** A 10-second-sampled soak: RSS drops to `base` at each reopen and climbs 25 MB/min for 3 minutes. */
function soak(minutes: number, base: (cycle: number) => number, loop: (tMin: number) => number = () => 40): CycleSample[] {
  const out: CycleSample[] = []
  for (let t = 1 / 6; t <= minutes + 1e-9; t += 1 / 6) {
    const committed = t * 15e6
    const c = Math.floor(committed / PERIOD)
    const into = t - c * 10
    out.push({ tMin: t, committed, rssMb: base(c) + 75 * Math.min(1, into / 3), loopP99Ms: loop(t) })
  }
  return out
}

describe('reopen cycles', () => {
  it('calls a sawtooth at a constant level flat, where the straight line through it is not', () => {
    const s = soak(30, (c) => (c === 0 ? 300 : 380)) // the first cycle warms up lower
    expect(slope(s.filter((x) => x.tMin >= 2).map((x) => x.tMin), s.filter((x) => x.tMin >= 2).map((x) => x.rssMb))).toBeGreaterThan(1)
    const v = judgeCycles(reopenCycles(s, PERIOD))!
    expect(v.judged.map((c) => c.index)).toEqual([1, 2])
    expect(v.memoryFlat).toBe(true)
    expect(v.loopFlat).toBe(true)
  })

  it('finds growth from cycle to cycle', () => {
    const v = judgeCycles(reopenCycles(soak(60, (c) => 380 + 20 * c), PERIOD))! // 2 MB/min
    expect(v.rssSlope).toBeCloseTo(2, 1)
    expect(v.memoryFlat).toBe(false)
  })

  it('finds an event-loop delay that creeps up', () => {
    const v = judgeCycles(reopenCycles(soak(60, () => 380, (t) => 40 + t), PERIOD))!
    expect(v.loopFlat).toBe(false)
  })

  it('leaves out a cycle the run did not finish, and judges nothing with fewer than two after the first', () => {
    const cycles = reopenCycles(soak(25, () => 380), PERIOD)
    expect(cycles.map((c) => c.index)).toEqual([0, 1])
    expect(judgeCycles(cycles)).toBeUndefined()
    expect(reopenCycles(soak(25, () => 380), 0)).toEqual([])
  })
})
