// The entry and exit sections: the uncoiler (payoff reel) and the exit section with its
// X-ray thickness gauge, shapemeter and tension reel.
import { Ar1, lag, type Rng } from './random.ts'

const MANDREL_MM = 610
/** Reel motor constant kΦ, N·m per A: torque = tension × coil radius. */
const REEL_K_NM_PER_A = 50
const REEL_NO_LOAD_A = 150

export interface UncoilerInput {
  dtS: number
  loaded: boolean
  diameter_mm: number
  coilMass_kg: number
  speed_mps: number
  accel_mps2: number
  tension_kN: number
  wear: number
}

export class UncoilerModel {
  private bearingTemp: number
  private readonly vibNoise: Ar1
  private readonly wearNoise: Ar1

  constructor(private readonly rng: Rng) {
    this.bearingTemp = 42 + rng.range(-2, 2)
    this.vibNoise = new Ar1(rng, 0.08, 2)
    this.wearNoise = new Ar1(rng, 0.12, 0.5)
  }

  update(u: UncoilerInput): Record<string, number> {
    const vNoise = this.vibNoise.next(u.dtS)
    const wNoise = this.wearNoise.next(u.dtS)
    const white = this.rng.normal()
    const diameter = u.loaded ? u.diameter_mm : MANDREL_MM
    const r = diameter / 2000
    const rotating = u.speed_mps > 0.01
    // The payoff reel brakes against the mill to hold back tension; its coil's inertia
    // (a thick-walled cylinder, J·α = m·r·a/2) eases the braking while the line speeds up.
    const torque = u.tension_kN * 1000 * r - (u.loaded ? (u.coilMass_kg * r * u.accel_mps2) / 2 : 0)
    const current = rotating || u.tension_kN > 0 ? REEL_NO_LOAD_A + Math.abs(torque) / REEL_K_NM_PER_A : 0
    this.bearingTemp = lag(this.bearingTemp, 36 + (rotating ? 0.04 * u.tension_kN + 0.6 * u.speed_mps : 0) + 35 * u.wear ** 1.5, u.dtS, 300)
    // ISO 10816-3 group 1 zone A/B when healthy; see stand.ts for the defect term.
    const healthy = rotating ? 0.3 + 0.08 * u.speed_mps + (0.1 * diameter) / 2000 : 0.12
    const defect = 9.5 * u.wear ** 1.7 * (rotating ? 0.5 + 0.5 * Math.min(1, u.speed_mps / 3) : 0.1)
    return {
      coil_diameter_mm: diameter,
      entry_tension_kN: Math.max(0, u.tension_kN * (1 + 0.01 * white)),
      speed_mps: u.speed_mps,
      motor_current_A: current,
      vibration_mm_s: Math.max(0.02, healthy * (1 + vNoise) + defect * (1 + wNoise) + 0.03 * white),
      bearing_temp_C: this.bearingTemp + 0.05 * white,
    }
  }
}

export interface ExitInput {
  dtS: number
  /** Strip under the X-ray gauge and the shapemeter. */
  gauge: boolean
  target_mm: number
  /** Systematic thickness error of the moment (threading, speed change), µm. */
  transient_um: number
  /** Thickness excursion fault, µm. */
  excursion_um: number
  speed_mps: number
  tension_kN: number
  reelDiameter_mm: number
}

export class ExitModel {
  private readonly fast: Ar1
  private readonly slow: Ar1
  private readonly flatness: Ar1
  /** The gauge's last thickness error, µm (for the coil's summary). */
  dev_um = 0

  constructor(private readonly rng: Rng) {
    // Exit gauge deviation under AGC: a fast component (roll eccentricity, gauge noise) and
    // a slow one (hot-band hardness), together about 2 µm std dev, a few µm off at most.
    this.fast = new Ar1(rng, 1.5, 0.3)
    this.slow = new Ar1(rng, 1.3, 5)
    this.flatness = new Ar1(rng, 3, 20)
  }

  update(x: ExitInput): Record<string, number> {
    const fast = this.fast.next(x.dtS)
    const slow = this.slow.next(x.dtS)
    const flat = this.flatness.next(x.dtS)
    const white = this.rng.normal()
    const out: Record<string, number> = {
      strip_speed_mps: x.speed_mps * (1 + 0.0005 * white),
      exit_tension_kN: Math.max(0, x.tension_kN * (1 + 0.015 * white)),
      coil_diameter_mm: x.reelDiameter_mm > 0 ? x.reelDiameter_mm : MANDREL_MM,
    }
    if (x.gauge) {
      this.dev_um = fast + slow + x.transient_um + x.excursion_um
      const thickness = x.target_mm * 1000 + this.dev_um
      out.thickness_um = Math.round(thickness * 10) / 10
      out.thickness_dev_um = Math.round((out.thickness_um - x.target_mm * 1000) * 10) / 10
      // Shapemeter: a few I-units of waviness, more before the flatness control closes.
      out.flatness_IU = flat + x.transient_um
    }
    return out
  }
}

/** Outer diameter of a coil of strip: area π(D² − d²)/4 = length × thickness. */
export const coilDiameter_mm = (length_m: number, thickness_mm: number) =>
  Math.sqrt(MANDREL_MM ** 2 + (4 * length_m * 1000 * thickness_mm) / Math.PI)
