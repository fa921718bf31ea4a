// One coil's trip through the mill, as the line's master speed reference sees it:
// coil change (line stopped) → threading at crawl speed → acceleration → run speed →
// deceleration in time to finish at tail-out speed → tail out. A strip break cuts it short
// with an emergency stop. Speeds are the exit strip speed in m/s.
import type { CoilFactory, CoilSpec } from './coils.ts'
import type { Rng } from './random.ts'

export type Phase = 'gap' | 'thread' | 'accel' | 'run' | 'decel' | 'tail' | 'stop'

/** Head end from the uncoiler through five stands onto the tension reel. */
export const THREAD_S = 24
/** Tail end from the uncoiler out of stand 5 onto the reel. */
export const TAIL_S = 12
export const ACCEL_MPS2 = 1.0
export const DECEL_MPS2 = 1.2
/** Emergency (fast) stop after a strip break. */
export const STOP_DECEL_MPS2 = 5
/** How long the broken span's tension climbs before the strip parts. */
export const BREAK_SPIKE_S = 0.4
const GAP_S: readonly [number, number] = [20, 45]
/** Clearing the broken strip out of the mill and re-threading takes longer than a coil change. */
const GAP_AFTER_BREAK_S = 180

export type CycleEvent =
  | { kind: 'start'; coil: CoilSpec }
  | { kind: 'finish'; coil: CoilSpec; status: 'complete' | 'broken'; startMs: number; rolled_m: number }

export class CoilCycle {
  phase: Phase = 'gap'
  /** Seconds since the phase began. */
  tPhase = 0
  speed = 0
  accel = 0
  /** Exit length rolled of the current coil, m. */
  rolled_m = 0
  /** The coil on the mill, or the next one waiting on the coil car during a gap. */
  coil: CoilSpec
  startMs = 0
  /** Span that broke (stop phase). */
  breakSpan = -1
  private gapS: number

  constructor(
    private readonly coils: CoilFactory,
    private readonly rng: Rng,
    nowMs: number,
    firstGapS = 3,
  ) {
    this.coil = coils.next(nowMs)
    this.gapS = firstGapS
  }

  get onMill(): boolean {
    return this.phase !== 'gap'
  }

  /** Whether the next coil sits on the uncoiler yet (the coil car loads it mid-gap). */
  get uncoilerLoaded(): boolean {
    return this.phase !== 'gap' || this.tPhase >= this.gapS / 2 || this.gapS <= 5
  }

  /** A break can only happen with the strip under full running tension. */
  canBreak(): boolean {
    return this.phase === 'accel' || this.phase === 'run' || this.phase === 'decel'
  }

  breakStrip(span: number): void {
    this.phase = 'stop'
    this.tPhase = 0
    this.breakSpan = span
  }

  advance(nowMs: number, dtS: number): CycleEvent | undefined {
    this.tPhase += dtS
    const c = this.coil
    let event: CycleEvent | undefined
    switch (this.phase) {
      case 'gap':
        this.speed = 0
        if (this.tPhase >= this.gapS) {
          this.enter('thread')
          this.rolled_m = 0
          this.startMs = nowMs
          this.breakSpan = -1
          event = { kind: 'start', coil: this.coil }
        }
        break
      case 'thread':
        this.speed = c.threadSpeed_mps
        if (this.tPhase >= THREAD_S) this.enter('accel')
        break
      case 'accel':
        this.speed = Math.min(c.runSpeed_mps, this.speed + ACCEL_MPS2 * dtS)
        if (this.speed >= c.runSpeed_mps) this.enter('run')
        break
      case 'decel':
        this.speed = Math.max(c.threadSpeed_mps, this.speed - DECEL_MPS2 * dtS)
        if (this.speed <= c.threadSpeed_mps) this.enter('tail')
        break
      case 'tail':
        if (this.tPhase >= TAIL_S) event = this.finish(nowMs, 'complete')
        break
      case 'stop':
        if (this.tPhase > BREAK_SPIKE_S) this.speed = Math.max(0, this.speed - STOP_DECEL_MPS2 * dtS)
        if (this.speed === 0) event = this.finish(nowMs, 'broken')
        break
    }
    if (this.phase === 'accel' || this.phase === 'run') {
      // Start slowing down so that the tail leaves at threading speed as the coil ends.
      const vt = c.threadSpeed_mps
      const needed = (this.speed ** 2 - vt ** 2) / (2 * DECEL_MPS2) + vt * TAIL_S
      if (c.length_m - this.rolled_m <= needed) this.enter('decel')
    }
    this.accel = this.currentAccel()
    if (this.phase !== 'gap') this.rolled_m += this.speed * dtS
    return event
  }

  private currentAccel(): number {
    if (this.phase === 'accel') return ACCEL_MPS2
    if (this.phase === 'decel') return -DECEL_MPS2
    if (this.phase === 'stop' && this.tPhase > BREAK_SPIKE_S && this.speed > 0) return -STOP_DECEL_MPS2
    return 0
  }

  private enter(phase: Phase): void {
    this.phase = phase
    this.tPhase = 0
  }

  private finish(nowMs: number, status: 'complete' | 'broken'): CycleEvent {
    const event: CycleEvent = { kind: 'finish', coil: this.coil, status, startMs: this.startMs, rolled_m: this.rolled_m }
    this.gapS = status === 'broken' ? GAP_AFTER_BREAK_S : this.rng.range(GAP_S[0], GAP_S[1])
    this.enter('gap')
    this.speed = 0
    this.coil = this.coils.next(nowMs)
    return event
  }
}
