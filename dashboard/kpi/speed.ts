// Line speed, run/stop time and the OEE availability and performance factors of a period,
// from the exit strip speed's time buckets (1-minute buckets come from the store's rollups,
// so 30 days are ~43 000 rows, never raw points). Pure.
//
// A bucket counts as running when its mean exit strip speed is above a small threshold
// (threading crawls at ~1 m/s, a stopped line reads 0): run and stop time are the parts of
// the period's windows covered by running and by stopped buckets. Minutes with no reading at
// all are neither (millwatch cannot know; a stopped line still sends 0): `noDataMinutes`.
//   availability = run time / (run time + stop time)
//   performance  = mean exit speed while running / the line's rated speed (plant.yaml)
import type { Bucket } from '../../store/types.ts'
import type { Window } from './periods.ts'

/** m/s: a minute whose mean exit strip speed is above this, the line was running. */
export const RUN_THRESHOLD_MPS = 0.5

export interface SpeedFigures {
  /** mean exit strip speed while running, m/s */
  avgSpeed_mps: number | null
  /** highest exit strip speed reading, m/s */
  peakSpeed_mps: number | null
  runMinutes: number
  stopMinutes: number
  noDataMinutes: number
  availability: number | null
  performance: number | null
}

/** First bucket that ends after `t` (buckets sorted by start). */
function firstEndingAfter(b: readonly Bucket[], stepMs: number, t: number): number {
  let lo = 0
  let hi = b.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (b[mid].ts + stepMs <= t) lo = mid + 1
    else hi = mid
  }
  return lo
}

export function speedFigures(
  buckets: readonly Bucket[],
  stepMs: number,
  windows: readonly Window[],
  o: { ratedSpeed_mps?: number; thresholdMps?: number; now?: number } = {},
): SpeedFigures {
  const threshold = o.thresholdMps ?? RUN_THRESHOLD_MPS
  let runMs = 0
  let stopMs = 0
  let spanMs = 0
  let weighted = 0 // Σ avg × count while running
  let count = 0
  let peak = -Infinity
  for (const w of windows) {
    // Time after "now" has not happened yet: it is not missing data.
    const end = Math.min(w.to, o.now ?? Infinity)
    if (end <= w.from) continue
    spanMs += end - w.from
    for (let i = firstEndingAfter(buckets, stepMs, w.from); i < buckets.length && buckets[i].ts < end; i++) {
      const b = buckets[i]
      const overlap = Math.min(b.ts + stepMs, end) - Math.max(b.ts, w.from)
      if (overlap <= 0) continue
      if (b.max > peak) peak = b.max
      if (b.avg > threshold) {
        runMs += overlap
        const share = b.count * (overlap / stepMs)
        weighted += b.avg * share
        count += share
      } else stopMs += overlap
    }
  }
  const avg = count > 0 ? weighted / count : null
  const rated = o.ratedSpeed_mps
  return {
    avgSpeed_mps: avg,
    peakSpeed_mps: peak === -Infinity ? null : peak,
    runMinutes: runMs / 60_000,
    stopMinutes: stopMs / 60_000,
    noDataMinutes: Math.max(0, spanMs - runMs - stopMs) / 60_000,
    availability: runMs + stopMs > 0 ? runMs / (runMs + stopMs) : null,
    performance: avg !== null && rated ? avg / rated : null,
  }
}
