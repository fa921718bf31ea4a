// The simulated clock: a fixed grid of tick times (start + k·period), released either as
// fast as possible (backfill of a past window) or paced by the wall clock × speed (live).
// Pure apart from the times it is given, so it can be tested without waiting.

export type ClockMode = 'backfill' | 'live' | 'done'

export interface ClockOptions {
  rateHz: number
  speed: number
  nowMs: number
  fromMs?: number
  toMs?: number
  follow?: boolean
  durationMs?: number
  startMs?: number
}

export type ClockStep = { kind: 'tick'; t: number } | { kind: 'wait'; ms: number } | { kind: 'done' }

export class SimClock {
  mode: ClockMode
  readonly startMs: number
  /** Time of the last tick released. */
  lastMs: number
  private k = 0
  private readonly periodMs: number
  private readonly stopAt: number
  private anchorSim: number | undefined
  private anchorWall: number | undefined

  constructor(private readonly o: ClockOptions) {
    if (!(o.speed > 0 && o.speed <= 100_000)) throw new Error(`speed must be in (0, 100000], not ${o.speed}`)
    if (!(o.rateHz > 0)) throw new Error(`rate must be positive, not ${o.rateHz}`)
    if (o.durationMs !== undefined && !(o.durationMs > 0)) throw new Error(`duration must be positive, not ${o.durationMs}`)
    this.periodMs = 1000 / o.rateHz
    const start = o.fromMs ?? o.startMs ?? o.nowMs
    if (!Number.isFinite(start)) throw new Error(`start time must be epoch ms, not ${start}`)
    if (o.fromMs !== undefined) {
      if (o.fromMs >= (o.toMs ?? o.nowMs)) throw new Error(`the backfill window is empty: from ${new Date(o.fromMs).toISOString()} is not before ${new Date(o.toMs ?? o.nowMs).toISOString()}`)
    } else if (o.toMs !== undefined) throw new Error('"to" needs "from" (a backfill window)')
    // Whole periods give round timestamps (…00, …100, …200 ms at 10 Hz).
    this.startMs = Number.isInteger(this.periodMs) ? Math.floor(start / this.periodMs) * this.periodMs : Math.floor(start)
    this.lastMs = this.startMs
    this.stopAt = o.durationMs === undefined ? Infinity : this.startMs + o.durationMs
    this.mode = o.fromMs !== undefined ? 'backfill' : 'live'
  }

  private tickTime(): number {
    return this.startMs + Math.round(this.k * this.periodMs)
  }

  /** What to do now, given the monotonic wall clock and the calendar time. */
  next(wallMs: number, nowMs: number): ClockStep {
    const t = this.tickTime()
    if (this.mode === 'done') return { kind: 'done' }
    if (t >= this.stopAt) return this.finish()
    if (this.mode === 'backfill') {
      if (t <= (this.o.toMs ?? nowMs)) return { kind: 'tick', t }
      if (!this.o.follow) return this.finish()
      // Caught up: carry on in step with the wall clock from where the backfill ended.
      this.mode = 'live'
      this.anchorSim = this.o.toMs === undefined ? nowMs : t
      this.anchorWall = wallMs
    }
    if (this.anchorWall === undefined) {
      this.anchorSim = t
      this.anchorWall = wallMs
    }
    const target = this.anchorSim! + (wallMs - this.anchorWall) * this.o.speed
    if (t <= target) return { kind: 'tick', t }
    return { kind: 'wait', ms: Math.max(1, Math.ceil((t - target) / this.o.speed)) }
  }

  /** The tick returned by next() has been generated. */
  advance(): void {
    this.lastMs = this.tickTime()
    this.k++
  }

  /** Live: how far behind its clock the model is, ms of simulated time. */
  lagMs(wallMs: number): number {
    if (this.mode !== 'live' || this.anchorWall === undefined) return 0
    return Math.max(0, this.anchorSim! + (wallMs - this.anchorWall) * this.o.speed - this.tickTime())
  }

  /** Backfill: the fraction of the window generated. */
  progress(nowMs: number): number | undefined {
    if (this.o.fromMs === undefined) return this.stopAt < Infinity ? (this.lastMs - this.startMs) / (this.stopAt - this.startMs) : undefined
    if (this.mode !== 'backfill') return 1
    const end = Math.min(this.o.toMs ?? nowMs, this.stopAt)
    return Math.min(1, (this.lastMs - this.startMs) / Math.max(1, end - this.startMs))
  }

  private finish(): ClockStep {
    this.mode = 'done'
    return { kind: 'done' }
  }
}
