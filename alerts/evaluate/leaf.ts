// One leaf of a condition, evaluated in place on the hot path. Every leaf, and every leaf
// state, has the same shape (a few numeric slots) so V8 keeps the code monomorphic, and
// nothing is allocated per reading: the rate window is a fixed ring buffer allocated once.
import type { Leaf } from '../rules/types.ts'

export type Values = Readonly<Record<string, number>>

export const ABOVE = 0
export const BELOW = 1
export const OUTSIDE = 2
export const RATE = 3
export const STUCK = 4
export const STALE = 5
export const DEVIATION = 6
const KINDS = { above: ABOVE, below: BELOW, outside: OUTSIDE, rate: RATE, stuck: STUCK, stale: STALE, deviation: DEVIATION } as const
/** rate: rise / fall / change; deviation: high / low / both */
const RISE = 1
const FALL = -1
const EITHER = 0
const SIDES = { rise: RISE, high: RISE, fall: FALL, low: FALL, change: EITHER, both: EITHER } as const

/**
 * The same string as V8's interned property name. A reading is looked up by its sensor's
 * name (`values[leaf.sensor]`); with a name that came over postMessage (a fresh copy, not
 * interned) every lookup took V8's slow path.
 */
export const intern = (s: string): string => Object.keys({ [s]: 0 })[0]

/**
 * A leaf as evaluation reads it: one class for every kind, the kind and direction as numbers,
 * the fields a kind does not use NaN (deadband 0). The rules' own leaf objects, as
 * rules/resolve.ts builds them, each had a hidden class of their own (604 for 613 leaves):
 * every field read in stepLeaf then missed V8's caches, and evaluation slowed with the size
 * of the plant (62 µs a stand message at 20 lines, against 4 µs at one).
 */
export class LeafSpec {
  readonly kind: number
  readonly sensor: string
  readonly limit: number
  readonly deadband: number
  readonly low: number
  readonly high: number
  /** RISE, FALL or EITHER (rate's direction, deviation's side) */
  readonly side: number
  readonly perMs: number
  readonly windowMs: number
  readonly forMs: number
  readonly epsilon: number
  readonly z: number
  readonly halfLifeMs: number
  readonly warmupMs: number
  readonly minSigma: number

  constructor(leaf: Leaf) {
    const l = leaf as unknown as Readonly<Partial<Record<string, number>>>
    this.kind = KINDS[leaf.kind]
    this.sensor = intern(leaf.sensor)
    this.limit = l.limit ?? NaN
    this.deadband = l.deadband ?? 0
    this.low = l.low ?? NaN
    this.high = l.high ?? NaN
    this.side = leaf.kind === 'rate' ? SIDES[leaf.direction] : leaf.kind === 'deviation' ? SIDES[leaf.side] : EITHER
    this.perMs = l.perMs ?? NaN
    this.windowMs = l.windowMs ?? NaN
    this.forMs = l.forMs ?? NaN
    this.epsilon = l.epsilon ?? NaN
    this.z = l.z ?? NaN
    this.halfLifeMs = l.halfLifeMs ?? NaN
    this.warmupMs = l.warmupMs ?? NaN
    this.minSigma = l.minSigma ?? NaN
  }
}

/** Samples kept for a rate-of-change window: one every window/(RING−4), so the ring spans more than a window. */
const RING = 32

export class LeafState {
  /** The leaf's verdict, latched: deadband hysteresis needs to know it. */
  on = false
  /** The quantity compared and the limit it was compared with (NaN when unknown). */
  value = NaN
  limit = NaN
  /** Last reading of the leaf's sensor and the interval before it (for expiry in AND/OR). */
  seen = NaN
  interval = 0
  // Kind-specific slots — rate: head, count, last stored ts; stuck: reference value, since;
  // stale: last seen; deviation: mean, variance, first ts, previous ts, n.
  a = NaN
  b = NaN
  c = NaN
  d = NaN
  n = 0
  ring: Float64Array | null

  constructor(leaf: LeafSpec | null) {
    this.ring = leaf?.kind === RATE ? new Float64Array(2 * RING) : null
  }

  clone(): LeafState {
    const s = new LeafState(null)
    Object.assign(s, this)
    s.ring = this.ring && this.ring.slice()
    return s
  }
}

const num = (v: number | undefined): v is number => typeof v === 'number' && v === v

/** Hysteresis: go on past `limit`, stay on until back past `limit − deadband` (ISA-18.2 deadband). */
const above = (on: boolean, x: number, limit: number, deadband: number) => (on ? x >= limit - deadband : x > limit)

/** A reading older than this no longer counts in AND / OR: max(5 s, 3 of its intervals). */
const MIN_EXPIRY_MS = 5000

/**
 * Evaluates one leaf for a reading (`values`) or a tick (`values === null`). With `expire`
 * (the leaf is part of an AND / OR) a sensor that has gone silent stops asserting its last
 * verdict: a dead transmitter stuck "below 3 kN" must not complete a strip-break AND.
 */
export function stepLeaf(leaf: LeafSpec, s: LeafState, t: number, values: Values | null, expire: boolean): void {
  if (leaf.kind === STALE) {
    // ISA-18.2 asks for diagnostic alarms on lost signals; the clock starts with the
    // equipment's first message, so equipment never heard from since start raises nothing.
    if (values !== null && (values[leaf.sensor] !== undefined || s.a !== s.a)) s.a = s.a === s.a ? Math.max(s.a, t) : t
    if (s.a === s.a) {
      s.value = (t - s.a) / 1000
      s.limit = leaf.forMs / 1000
      s.on = t - s.a >= leaf.forMs
    }
    return
  }
  if (values === null) return // the other kinds change only with data
  const v = values[leaf.sensor]
  if (!num(v)) {
    if (expire && s.on && t - s.seen > Math.max(MIN_EXPIRY_MS, 3 * s.interval)) s.on = false
    return
  }
  if (s.seen !== s.seen) s.seen = t
  else if (t > s.seen) {
    s.interval = t - s.seen
    s.seen = t
  }
  switch (leaf.kind) {
    case ABOVE:
      s.on = above(s.on, v, leaf.limit, leaf.deadband)
      s.value = v
      s.limit = leaf.limit
      return
    case BELOW:
      s.on = above(s.on, -v, -leaf.limit, leaf.deadband)
      s.value = v
      s.limit = leaf.limit
      return
    case OUTSIDE: {
      const highSide = v > (leaf.low + leaf.high) / 2
      s.on = highSide ? above(s.on, v, leaf.high, leaf.deadband) : above(s.on, -v, -leaf.low, leaf.deadband)
      s.value = v
      s.limit = highSide ? leaf.high : leaf.low
      return
    }
    case RATE:
      return stepRate(leaf, s, t, v)
    case STUCK:
      // A live transmitter always wiggles; a frozen one repeats itself (ε absorbs quantisation).
      if (s.b !== s.b || Math.abs(v - s.a) > leaf.epsilon) {
        s.a = v
        s.b = t
      }
      s.on = t - s.b >= leaf.forMs
      s.value = v
      return
    case DEVIATION:
      return stepDeviation(leaf, s, t, v)
  }
}

function stepRate(leaf: LeafSpec, s: LeafState, t: number, v: number): void {
  const ring = s.ring!
  // Reference: the newest stored sample at least one window old.
  let ref = -1
  for (let k = 0, i = s.a; k < s.n; k++, i = (i + RING - 1) % RING) {
    if (ring[2 * i] <= t - leaf.windowMs) {
      ref = i
      break
    }
  }
  if (ref >= 0 && t > ring[2 * ref]) {
    const r = ((v - ring[2 * ref + 1]) / (t - ring[2 * ref])) * leaf.perMs
    const x = leaf.side === RISE ? r : leaf.side === FALL ? -r : Math.abs(r)
    s.on = above(s.on, x, leaf.limit, leaf.deadband)
    s.value = r
    s.limit = leaf.side === FALL || (leaf.side === EITHER && r < 0) ? -leaf.limit : leaf.limit
  }
  if (s.n === 0 || t - s.c >= leaf.windowMs / (RING - 4)) {
    const head = s.n === 0 ? 0 : (s.a + 1) % RING
    ring[2 * head] = t
    ring[2 * head + 1] = v
    s.a = head
    s.c = t
    if (s.n < RING) s.n++
  }
}

function stepDeviation(leaf: LeafSpec, s: LeafState, t: number, v: number): void {
  if (s.n === 0) {
    s.a = v
    s.b = 0
    s.c = t
    s.d = t
    s.n = 1
    s.value = v
    return
  }
  const sigma = Math.max(Math.sqrt(s.b), leaf.minSigma)
  const diff = v - s.a
  const z = sigma > 0 ? diff / sigma : diff === 0 ? 0 : diff * Infinity
  const warm = t - s.c >= leaf.warmupMs && s.n >= 2
  if (warm) {
    const x = leaf.side === RISE ? z : leaf.side === FALL ? -z : Math.abs(z)
    s.on = above(s.on, x, leaf.z, leaf.deadband)
    s.limit = z >= 0 ? s.a + leaf.z * sigma : s.a - leaf.z * sigma
  }
  s.value = v
  // EWMA with a time-based weight: irregular sampling keeps the same half-life.
  const alpha = t > s.d ? 1 - Math.pow(2, -(t - s.d) / leaf.halfLifeMs) : 0
  const incr = alpha * diff
  s.a += incr
  // σ learns only from ordinary readings (|z| ≤ max(3, z/2)) once warmed up: a slow drift —
  // the bearing-wear signature — would otherwise widen its own band as fast as it grows.
  // The mean keeps following, so a lasting new level is accepted after a half-life or two.
  if (!s.on && (!warm || Math.abs(z) <= Math.max(3, leaf.z / 2))) s.b = (1 - alpha) * (s.b + diff * incr)
  s.d = Math.max(s.d, t)
  s.n++
}
