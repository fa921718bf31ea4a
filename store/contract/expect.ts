// Reference computations for the contract suites: what a store must answer, computed the
// slow, obvious way from the raw readings.
import type { Bucket } from '../types.ts'

/** Buckets of [ts, value] rows in [from, to), aligned at multiples of step; one value per ts. */
export function bucketsOf(rows: ReadonlyArray<readonly [number, number]>, from: number, to: number, step: number): Bucket[] {
  const byTs = new Map<number, number>()
  for (const [ts, v] of rows) if (ts >= from && ts < to) byTs.set(ts, v)
  const buckets = new Map<number, { sum: number; min: number; max: number; count: number }>()
  for (const [ts, v] of byTs) {
    const start = ts - (((ts % step) + step) % step)
    const b = buckets.get(start)
    if (!b) buckets.set(start, { sum: v, min: v, max: v, count: 1 })
    else ((b.sum += v), (b.min = Math.min(b.min, v)), (b.max = Math.max(b.max, v)), b.count++)
  }
  return [...buckets]
    .sort(([a], [b]) => a - b)
    .map(([ts, b]) => ({ ts, avg: b.sum / b.count, min: b.min, max: b.max, count: b.count }))
}

/** A deterministic shuffle (the same order every run, so failures reproduce). */
export function shuffle<T>(items: readonly T[]): T[] {
  const out = [...items]
  let seed = 12345
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648
    const j = seed % (i + 1)
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}
