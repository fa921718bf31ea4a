// Exit thickness of one coil, weighted by strip length. The X-ray gauge samples at a fixed
// rate in time, but a coil is sold by length: a sample taken while the strip crawls at 1 m/s
// during threading stands for a tenth of the steel of one taken at 10 m/s. So each sample
// weighs the strip length it represents, v(t) × Δt, with v the exit strip speed as of that
// sample (the latest speed reading at or before it, an as-of join).
import type { RawPoint } from '../store/types.ts'

export interface ThicknessSummary {
  samples: number
  /** `length`: weighted by strip length; `samples`: no usable strip speed, each sample counts once */
  weighting: 'length' | 'samples'
  /** strip length the samples stand for, m (length weighting only) */
  gaugedLength_m?: number
  mean_um: number
  /** length-weighted population standard deviation */
  stdDev_um: number
  min_um: number
  max_um: number
  target_um?: number
  /** symmetric tolerance ± (µm) */
  tolerance_um?: number
  /** shares of length (0–1) within target ± tolerance (bounds inclusive), above and below it */
  inToleranceShare?: number
  aboveShare?: number
  belowShare?: number
  /**
   * min(USL − μ, μ − LSL) / 3σ with the coil's overall σ. ISO 22514-2 would call this figure
   * Ppk (overall, not within-subgroup σ); mills print it as the coil's Cpk. Absent when σ = 0.
   */
  cpk?: number
}

export interface ThicknessOptions {
  /** end of the coil's window, epoch ms: bounds the last sample's Δt */
  to: number
  target_um?: number
  tolerance_um?: number
  /**
   * A longer Δt between samples is cut to this, so a gauge dropout does not hand the length
   * it missed to the last sample before it. Default: 5 × the median sample interval.
   */
  maxGapMs?: number
}

function medianInterval(s: readonly RawPoint[]): number {
  if (s.length < 2) return 100 // one sample: assume the plant's usual 10 Hz
  const d = new Float64Array(s.length - 1)
  for (let i = 1; i < s.length; i++) d[i - 1] = s[i].ts - s[i - 1].ts
  d.sort()
  return d[d.length >> 1] || 100
}

/** `thickness` and `speed` sorted by time and inside the coil's window (see summary.ts). */
export function thicknessSummary(thickness: readonly RawPoint[], speed: readonly RawPoint[], opts: ThicknessOptions): ThicknessSummary | undefined {
  const m = thickness.length
  if (m === 0) return undefined
  const nominal = medianInterval(thickness)
  const maxGap = opts.maxGapMs ?? 5 * nominal

  const w = new Float64Array(m)
  let total = 0
  for (let i = 0, j = -1; i < m; i++) {
    const t = thickness[i].ts
    while (j + 1 < speed.length && speed[j + 1].ts <= t) j++
    const v = j >= 0 ? speed[j].value : speed.length > 0 ? speed[0].value : 0
    const dt = Math.min(i + 1 < m ? thickness[i + 1].ts - t : Math.min(nominal, opts.to - t), maxGap)
    w[i] = v > 0 && dt > 0 ? (v * dt) / 1000 : 0
    total += w[i]
  }
  const weighting = total > 0 ? 'length' : 'samples'
  if (weighting === 'samples') {
    w.fill(1)
    total = m
  }

  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < m; i++) {
    if (w[i] === 0) continue // the strip stood still: the gauge kept measuring one spot
    const x = thickness[i].value
    sum += w[i] * x
    if (x < min) min = x
    if (x > max) max = x
  }
  const mean = sum / total
  let sq = 0
  for (let i = 0; i < m; i++) if (w[i] !== 0) sq += w[i] * (thickness[i].value - mean) ** 2
  // A flat trace leaves rounding dust (~1e-13 µm) in σ; that is 0, not a Cpk of 10^13.
  const raw = Math.sqrt(sq / total)
  const sd = raw > 1e-9 * Math.max(1, Math.abs(mean)) ? raw : 0

  const out: ThicknessSummary = {
    samples: m,
    weighting,
    ...(weighting === 'length' && { gaugedLength_m: total }),
    mean_um: mean,
    stdDev_um: sd,
    min_um: min,
    max_um: max,
  }
  const { target_um: target, tolerance_um: tol } = opts
  if (target === undefined || tol === undefined || !(tol > 0)) return { ...out, ...(target !== undefined && { target_um: target }) }

  const lsl = target - tol
  const usl = target + tol
  let above = 0
  let below = 0
  for (let i = 0; i < m; i++) {
    const x = thickness[i].value
    if (x > usl) above += w[i]
    else if (x < lsl) below += w[i]
  }
  return {
    ...out,
    target_um: target,
    tolerance_um: tol,
    inToleranceShare: (total - above - below) / total,
    aboveShare: above / total,
    belowShare: below / total,
    ...(sd > 0 && { cpk: Math.min(usl - mean, mean - lsl) / (3 * sd) }),
  }
}
