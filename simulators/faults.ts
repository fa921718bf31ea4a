// What each fault scenario does to one line while it runs. The physical faults (bearing
// wear, thickness excursion, strip break) act on the model; the instrument faults (stuck
// sensor, dropout) act on the readings after the model, as a failed transmitter or a dead
// gateway would. No effect draws from the model's random streams, so a faulty run equals the
// healthy run of the same seed everywhere the fault does not reach.
import type { Fault } from './fault-spec.ts'
import type { Rng } from './random.ts'

/** Wear runs its course over this long when no duration is given, then stays at its worst. */
export const DEFAULT_WEAR_MS = 20 * 60_000
export const DEFAULT_EXCURSION_MS = 30_000
/** The gauge control loses and regains the gauge over about 1.5 s (HGC response). */
const EXCURSION_RAMP_MS = 1500

interface Active {
  fault: Fault
  from: number
  to: number
  /** Bearing wear: time from onset to the worst damage. */
  rampMs: number
  /** Thickness excursion height, µm. */
  amplitude: number
  /** Stuck sensor: the value it repeats; the value seen before the fault. */
  frozen?: number
  last?: number
  fired?: boolean
}

export class LineFaults {
  private readonly all: Active[]

  constructor(faults: readonly Fault[], startMs: number, rng: Rng) {
    this.all = faults.map((fault) => {
      const from = startMs + fault.atMs
      const span = fault.durationMs ?? (fault.kind === 'bearing-wear' ? DEFAULT_WEAR_MS : fault.kind === 'thickness-excursion' ? DEFAULT_EXCURSION_MS : Infinity)
      // Open-ended wear keeps its worst state after the ramp; a window ends (the bearing is changed).
      const to = fault.kind === 'bearing-wear' && fault.durationMs === undefined ? Infinity : from + span
      return { fault, from, to, rampMs: span, amplitude: rng.range(15, 30) }
    })
  }

  private active(t: number, kind: Fault['kind']) {
    return this.all.filter((a) => a.fault.kind === kind && t >= a.from && t < a.to)
  }

  /** Bearing damage 0…1 of a piece of equipment: grows from the onset to the end of its ramp. */
  wear(equipment: string, t: number): number {
    let w = 0
    for (const a of this.active(t, 'bearing-wear')) {
      if (a.fault.equipment === equipment) w = Math.max(w, Math.min(1, (t - a.from) / a.rampMs))
    }
    return w
  }

  /** Exit thickness error added by an excursion, µm. */
  thicknessOffset(t: number): number {
    let off = 0
    for (const a of this.active(t, 'thickness-excursion')) {
      const ramp = Math.min(1, (t - a.from) / EXCURSION_RAMP_MS, (a.to - t) / EXCURSION_RAMP_MS)
      off += a.amplitude * ramp
    }
    return off
  }

  /** The span (1…5) that should break now, if a strip break is due and has not happened. */
  pendingBreak(t: number): number | undefined {
    const a = this.all.find((x) => x.fault.kind === 'strip-break' && !x.fired && t >= x.from)
    return a ? Number(a.fault.equipment!.slice(5)) : undefined
  }

  /** The line reports that the pending break happened. */
  breakDone(t: number): void {
    const a = this.all.find((x) => x.fault.kind === 'strip-break' && !x.fired && t >= x.from)
    if (a) a.fired = true
  }

  /** Whether this equipment has instrument faults at all (lets the line skip the filter). */
  touches(equipment: string): boolean {
    return this.all.some((a) => (a.fault.kind === 'stuck-sensor' || a.fault.kind === 'dropout') && a.fault.equipment === equipment)
  }

  /** Applies stuck sensors and dropouts to one message's readings; false drops the message. */
  filter(equipment: string, values: Record<string, number>, t: number): boolean {
    for (const a of this.all) {
      const f = a.fault
      if (f.equipment !== equipment) continue
      const inWindow = t >= a.from && t < a.to
      if (f.kind === 'stuck-sensor') {
        const v = values[f.sensor!]
        if (v === undefined) continue
        if (inWindow) values[f.sensor!] = a.frozen ??= a.last ?? v
        else {
          a.frozen = undefined
          a.last = v
        }
      } else if (f.kind === 'dropout' && inWindow) {
        if (!f.sensor) return false
        delete values[f.sensor]
      }
    }
    for (const _ in values) return true
    return false
  }
}
