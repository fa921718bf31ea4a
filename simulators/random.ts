// The simulator's only source of randomness: a seeded xoroshiro128+ (pure-rand) behind a
// small wrapper. Every model owns its own stream, forked with a jump, so adding a fault to
// one piece of equipment or a line to the plant leaves every other stream untouched and
// the same seed gives the same message stream byte for byte.
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator'

export class Rng {
  private spare: number | undefined

  private constructor(private readonly gen: JumpableRandomGenerator) {}

  static seeded(seed: number): Rng {
    return new Rng(xoroshiro128plus(seed | 0))
  }

  /** An independent stream: a copy of this one, after which this one jumps 2^64 draws ahead. */
  fork(): Rng {
    const child = new Rng(this.gen.clone())
    this.gen.jump()
    return child
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.gen)
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float()
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1))
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]
  }

  /** Picks by weight: entries are [item, weight]. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((s, [, w]) => s + w, 0)
    let x = this.float() * total
    for (const [item, w] of entries) if ((x -= w) < 0) return item
    return entries[entries.length - 1][0]
  }

  /** Standard normal, Box–Muller (the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare
      this.spare = undefined
      return s
    }
    const u = 1 - this.float() // (0, 1]: log(0) never happens
    const r = Math.sqrt(-2 * Math.log(u))
    const a = 2 * Math.PI * this.float()
    this.spare = r * Math.sin(a)
    return r * Math.cos(a)
  }
}

/**
 * Coloured noise: a stationary first-order autoregressive process (discrete Ornstein–
 * Uhlenbeck) with standard deviation `sigma` and correlation time `tauS`. Real measurements
 * of a mill (gauge, vibration RMS, tension) wander; they are not white noise.
 */
export class Ar1 {
  private x: number

  constructor(
    private readonly rng: Rng,
    private readonly sigma: number,
    private readonly tauS: number,
  ) {
    this.x = sigma * rng.normal()
  }

  next(dtS: number): number {
    const phi = Math.exp(-dtS / this.tauS)
    this.x = phi * this.x + this.sigma * Math.sqrt(1 - phi * phi) * this.rng.normal()
    return this.x
  }
}

/** First-order lag of `value` towards `target` with time constant `tauS` (thermal masses). */
export function lag(value: number, target: number, dtS: number, tauS: number): number {
  return target + (value - target) * Math.exp(-dtS / tauS)
}

export const round = (x: number, digits: number): number => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}
