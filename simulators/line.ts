// One tandem cold mill line: the coil cycle drives the speed, the pass schedule sets each
// stand's thickness, mass flow sets each stand's speed (v·h is the same through every
// stand), tensions follow their set points, and each piece of equipment turns that into
// readings. Strip positions: 0 uncoiler, 1…5 stands, 6 tension reel; span j runs from
// position j to j+1.
import type { CoilEventPayload } from '../core/payloads.ts'
import { coilTopic } from '../core/topics.ts'
import { STANDS, lineId } from './catalog.ts'
import { CoilFactory, coilAttributes, coilId, type CoilSpec } from './coils.ts'
import { BREAK_SPIKE_S, CoilCycle, THREAD_S, TAIL_S, type CycleEvent } from './cycle.ts'
import type { LineFaults } from './faults.ts'
import { lag, round, type Rng } from './random.ts'
import { passSchedule, type PassSchedule } from './rolling.ts'
import { ExitModel, UncoilerModel, coilDiameter_mm } from './sections.ts'
import { StandModel } from './stand.ts'
import { GaugeSummary } from './gauge-summary.ts'
import { TelemetryWriter, type Message } from './telemetry.ts'

/** Plastic modulus of thin strip: force change per µm of exit thickness error, kN/µm. */
const PLASTIC_KN_PER_UM = 7.5
/** Tension loops close in a few tenths of a second. */
const TENSION_TAU_S = 0.4
const THREAD_TENSION = 0.35

export class LineModel {
  readonly id: string
  private readonly cycle: CoilCycle
  private readonly stands: StandModel[]
  private readonly uncoiler: UncoilerModel
  private readonly exit: ExitModel
  private readonly telemetry: TelemetryWriter
  private schedule!: PassSchedule
  private scheduleOf: CoilSpec | undefined
  private readonly tension = new Array<number>(STANDS + 1).fill(0)
  private transient = 0
  private coilId = ''
  private readonly gauge = new GaugeSummary()
  private tPrev: number | undefined
  coilsFinished = 0

  constructor(
    private readonly index: number,
    rng: Rng,
    private readonly faults: LineFaults,
    private readonly rateHz: number,
    extraSensors: number,
    startMs: number,
  ) {
    this.id = lineId(index)
    this.cycle = new CoilCycle(new CoilFactory(rng.fork()), rng.fork(), startMs)
    this.stands = Array.from({ length: STANDS }, (_, i) => new StandModel(rng.fork(), i + 1))
    this.uncoiler = new UncoilerModel(rng.fork())
    this.exit = new ExitModel(rng.fork())
    this.telemetry = new TelemetryWriter(this.id, rateHz, extraSensors, rng.fork(), faults)
  }

  step(t: number, out: Message[]): void {
    const dtS = this.tPrev === undefined ? 1 / this.rateHz : (t - this.tPrev) / 1000
    const c = this.cycle
    const pending = this.faults.pendingBreak(t)
    if (pending !== undefined && c.canBreak()) {
      c.breakStrip(pending)
      this.faults.breakDone(t)
    }
    const event = c.advance(t, dtS)
    if (event) this.coilEvent(event, t, out)
    const coil = c.coil
    if (this.scheduleOf !== coil) {
      this.schedule = passSchedule(coil.entryThickness_mm, coil.targetThickness_mm, coil.width_mm)
      this.scheduleOf = coil
    }
    const { h, strain, tensionSet_kN } = this.schedule

    const strip = this.stripPositions()
    this.updateTensions(strip, tensionSet_kN, dtS)
    const excursion = this.faults.thicknessOffset(t)
    const readings: Record<string, number>[] = []

    const entryRemaining_m = ((c.onMill ? coil.length_m - c.rolled_m : coil.length_m) * h[STANDS]) / h[0]
    readings.push(
      this.uncoiler.update({
        dtS,
        loaded: c.uncoilerLoaded,
        diameter_mm: coilDiameter_mm(Math.max(0, entryRemaining_m), h[0]),
        coilMass_kg: (1000 * coil.weight_t * Math.max(0, entryRemaining_m)) / ((coil.length_m * h[STANDS]) / h[0]),
        speed_mps: (c.speed * h[STANDS]) / h[0],
        accel_mps2: (c.accel * h[STANDS]) / h[0],
        tension_kN: this.tension[0],
        wear: this.faults.wear('uncoiler', t),
      }),
    )
    for (let i = 1; i <= STANDS; i++) {
      const ratio = h[STANDS] / h[i] // mass flow: v_i·h_i = v_exit·h_exit
      readings.push(
        this.stands[i - 1].update({
          dtS,
          strip: strip[i],
          speed_mps: c.speed * ratio,
          accel_mps2: c.accel * ratio,
          grade: coil.grade,
          width_mm: coil.width_mm,
          hIn: h[i - 1],
          hOut: h[i],
          strainIn: strain[i - 1],
          strainOut: strain[i],
          backTension_kN: this.tension[i - 1],
          frontTension_kN: this.tension[i],
          wear: this.faults.wear(`stand${i}`, t),
          forceOffset_kN: i === STANDS ? -PLASTIC_KN_PER_UM * excursion : 0,
        }),
      )
    }
    // Off-gauge while threading and at the tail (AGC not yet in mass-flow mode), thinner while
    // accelerating (friction falls with speed), thicker while decelerating.
    const target = c.phase === 'thread' || c.phase === 'tail' ? 3 : -2.5 * c.accel
    this.transient = lag(this.transient, target, dtS, 1.5)
    const gauge = strip[STANDS] && c.phase !== 'stop'
    readings.push(
      this.exit.update({
        dtS,
        gauge,
        target_mm: coil.targetThickness_mm,
        transient_um: this.transient,
        excursion_um: excursion,
        speed_mps: c.speed,
        tension_kN: this.tension[STANDS],
        reelDiameter_mm: c.onMill ? coilDiameter_mm(c.rolled_m, coil.targetThickness_mm) : 0,
      }),
    )
    if (gauge) this.gauge.add(this.exit.dev_um, c.speed)
    this.telemetry.write(t, readings, out)
    this.tPrev = t
  }

  private stripPositions(): boolean[] {
    const c = this.cycle
    return Array.from({ length: STANDS + 2 }, (_, p) => {
      switch (c.phase) {
        case 'gap': return false
        case 'thread': return c.tPhase >= (THREAD_S * p) / (STANDS + 1)
        case 'tail': return c.tPhase < (TAIL_S * p) / (STANDS + 1)
        // Until the strip parts it is whole; then the gaps open (emergency gap release).
        case 'stop': return c.tPhase <= BREAK_SPIKE_S
        default: return true
      }
    })
  }

  private updateTensions(strip: boolean[], set: readonly number[], dtS: number): void {
    const c = this.cycle
    for (let j = 0; j <= STANDS; j++) {
      if (c.phase === 'stop') {
        // The broken span's tension climbs until the strip parts; then every span goes slack.
        if (c.tPhase > BREAK_SPIKE_S) this.tension[j] = 0
        else if (j === c.breakSpan) this.tension[j] = set[j] * (1 + c.tPhase / BREAK_SPIKE_S)
        continue
      }
      const target = strip[j] && strip[j + 1] ? set[j] * (c.phase === 'thread' ? THREAD_TENSION : 1) : 0
      this.tension[j] = lag(this.tension[j], target, dtS, TENSION_TAU_S)
    }
  }

  private coilEvent(e: CycleEvent, t: number, out: Message[]): void {
    const attributes = coilAttributes(e.coil, passSchedule(e.coil.entryThickness_mm, e.coil.targetThickness_mm, e.coil.width_mm).h.slice(1))
    let payload: CoilEventPayload
    if (e.kind === 'start') {
      this.coilId = coilId(t, this.index + 1)
      this.gauge.reset()
      payload = { event: 'start', coilId: this.coilId, ts: t, ...attributes }
    } else {
      this.coilsFinished++
      payload = {
        event: 'finish',
        coilId: this.coilId,
        ts: t,
        ...attributes,
        status: e.status,
        ...(e.status === 'broken' ? { reason: 'strip-break' } : {}),
        rolledLength_m: round(e.rolled_m, 1),
        duration_s: round((t - e.startMs) / 1000, 1),
        ...this.gauge.summary(e.coil.targetThickness_mm),
      }
    }
    out.push({ topic: coilTopic(this.id), payload })
  }
}
