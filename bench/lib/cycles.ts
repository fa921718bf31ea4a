// Is a long run's memory flat, when the store reopens its file every N committed points?
// RSS is then a sawtooth: it drops at each reopen and climbs back as DuckDB refills its cache.
// A straight line through a sawtooth slopes by where the run starts and stops in the teeth
// (the soak's 30 minutes hold three), not by any growth. So the soak compares whole cycles at
// the same point of each: the line through the cycles' medians, after the first cycle (the
// warm-up: JIT, caches, allocator arenas). Event-loop delay is judged the same way.

export interface CycleSample {
  tMin: number
  /** points committed so far (what the store counts towards its reopen) */
  committed: number
  rssMb: number
  loopP99Ms: number
}

export interface Cycle {
  index: number
  fromMin: number
  toMin: number
  samples: number
  rssMedianMb: number
  rssMaxMb: number
  loopMedianMs: number
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN
}

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length
  if (n < 2) return NaN
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) ((num += (xs[i] - mx) * (ys[i] - my)), (den += (xs[i] - mx) ** 2))
  return den === 0 ? NaN : num / den
}

/**
 * The samples cut at every `period` committed points (a reopen). Only whole cycles: the run
 * saw the next one begin, or committed at least 95 % of the cycle's points.
 */
export function reopenCycles(samples: readonly CycleSample[], period: number): Cycle[] {
  if (!(period > 0) || samples.length === 0) return []
  const groups = new Map<number, CycleSample[]>()
  for (const s of samples) {
    const k = Math.floor(s.committed / period)
    groups.set(k, [...(groups.get(k) ?? []), s])
  }
  const last = Math.max(...groups.keys())
  const lastCommitted = samples[samples.length - 1].committed
  const out: Cycle[] = []
  for (const [index, ss] of [...groups].sort((a, b) => a[0] - b[0])) {
    const whole = index < last || lastCommitted >= (index + 0.95) * period
    if (!whole || ss.length < 2) continue
    out.push({
      index,
      fromMin: ss[0].tMin,
      toMin: ss[ss.length - 1].tMin,
      samples: ss.length,
      rssMedianMb: median(ss.map((s) => s.rssMb)),
      rssMaxMb: Math.max(...ss.map((s) => s.rssMb)),
      loopMedianMs: median(ss.map((s) => s.loopP99Ms)),
    })
  }
  return out
}

export interface CycleVerdict {
  /** the cycles judged: every whole one after the first */
  judged: Cycle[]
  /** slope of the cycles' RSS medians over their mid-times, MB/min */
  rssSlope: number
  /** slope of the cycles' event-loop p99 medians, ms/min */
  loopSlope: number
  memoryFlat: boolean
  loopFlat: boolean
}

/**
 * Flat memory: the cycles' medians grow less than `mbPerMin` (the soak's 1 MB/min, 60 MB an
 * hour). Flat event-loop delay: the line through the cycles' medians rises by less than
 * 10 ms, or 25 %, over the cycles judged. Needs two whole cycles after the first.
 */
export function judgeCycles(cycles: readonly Cycle[], mbPerMin = 1): CycleVerdict | undefined {
  const judged = cycles.filter((c) => c.index > 0)
  if (judged.length < 2) return undefined
  const mid = judged.map((c) => (c.fromMin + c.toMin) / 2)
  const rssSlope = slope(mid, judged.map((c) => c.rssMedianMb))
  const loopSlope = slope(mid, judged.map((c) => c.loopMedianMs))
  const span = mid[mid.length - 1] - mid[0]
  const loopMean = judged.reduce((n, c) => n + c.loopMedianMs, 0) / judged.length
  return {
    judged,
    rssSlope,
    loopSlope,
    memoryFlat: rssSlope < mbPerMin,
    loopFlat: loopSlope * span < Math.max(10, 0.25 * loopMean),
  }
}
