// One rolling stand's instruments: load cells, tensiometer, laser speed gauge, drive,
// HGC cylinder, vibration velocity probe and bearing RTD, fed by the rolling physics.
import type { Grade } from './coils.ts'
import { Ar1, lag, type Rng } from './random.ts'
import { DRIVE_MASS_KG, driveForce_kN, rollForce, rollGap_mm, type BiteInput } from './rolling.ts'

/** DC mill motor: rated armature voltage, base speed (fraction of the stand's top speed). */
const ARMATURE_V = 1050
const BASE_SPEED_FRACTION = 0.45
/** Strip speed after each stand at the rated 25 m/s for a typical 2.5 → 0.5 mm schedule. */
const TYPICAL_SPEED_MPS = [7.7, 11.4, 16.0, 21.4, 25]
const NO_LOAD_A = 120
const DRIVE_EFFICIENCY = 0.95
/** Rolls open and only the balance cylinders hold the chocks when no strip is in the bite. */
const OPEN_GAP_MM = 5
const BALANCE_BAR = 20
/** HGC cylinders: 1 m² of piston in all, so 100 kN per bar. */
const HGC_KN_PER_BAR = 100
const AMBIENT_C = 38

/** What the roll bite needs (rolling.ts), plus the stand's own state. */
export interface StandInput extends BiteInput {
  dtS: number
  strip: boolean
  accel_mps2: number
  /** Bearing damage 0…1 (bearing-wear fault). */
  wear: number
  /** Force change from an exit-thickness error (plastic modulus × error). */
  forceOffset_kN: number
}

export type StandReadings = Record<string, number>

export class StandModel {
  private bearingTemp: number
  private rollTemp: number
  private readonly forceNoise: Ar1
  private readonly vibNoise: Ar1
  private readonly wearNoise: Ar1
  private readonly baseSpeed: number

  constructor(
    private readonly rng: Rng,
    index: number,
  ) {
    this.bearingTemp = 50 + index + rng.range(-2, 2)
    this.rollTemp = 60 + 3 * index + rng.range(-3, 3)
    // Hot-band hardness and thickness vary along the strip: force wanders by about 1 %.
    this.forceNoise = new Ar1(rng, 0.008, 0.6)
    this.vibNoise = new Ar1(rng, 0.08, 2)
    this.wearNoise = new Ar1(rng, 0.12, 0.5)
    this.baseSpeed = BASE_SPEED_FRACTION * TYPICAL_SPEED_MPS[index - 1]
  }

  update(s: StandInput): StandReadings {
    const rng = this.rng
    const fNoise = this.forceNoise.next(s.dtS)
    const vNoise = this.vibNoise.next(s.dtS)
    const wNoise = this.wearNoise.next(s.dtS)
    const white = rng.normal()
    const tensionNoise = rng.normal()
    const rotating = s.speed_mps > 0.01
    let force = 0
    let drive = 0
    if (s.strip) {
      const bite = rollForce(s)
      force = Math.max(0, bite.force_kN * (1 + fNoise) + s.forceOffset_kN)
      drive = driveForce_kN(force, bite.contact_mm, s.hIn, s.hOut, s.backTension_kN, s.frontTension_kN, s.accel_mps2)
    } else if (rotating) {
      drive = 5 + (DRIVE_MASS_KG * s.accel_mps2) / 1000 // windage, bearings, inertia only
    }
    const power_kW = Math.max(0, (drive * s.speed_mps) / DRIVE_EFFICIENCY)
    // Below base speed the armature voltage follows speed and current follows torque;
    // above it the field weakens and current follows power.
    const current = rotating || s.strip ? NO_LOAD_A + (Math.abs(drive) * 1000 * Math.max(s.speed_mps, this.baseSpeed)) / ARMATURE_V / DRIVE_EFFICIENCY : 0

    const forceMN = force / 1000
    this.bearingTemp = lag(this.bearingTemp, AMBIENT_C + (rotating ? 1.2 * forceMN + 0.5 * s.speed_mps : 0) + 35 * s.wear ** 1.5, s.dtS, 300)
    this.rollTemp = lag(this.rollTemp, AMBIENT_C + (rotating ? (9 * power_kW) / 1000 + 0.8 * s.speed_mps : 0), s.dtS, 180)

    // ISO 10816-3 group 1: healthy large machines run in zone A/B, below 2.3 mm/s; the level
    // rises a little with speed and load. A damaged bearing adds defect vibration that
    // grows faster as the damage spreads and is strongest at speed.
    const healthy = rotating ? 0.35 + 0.055 * s.speed_mps + 0.02 * forceMN : 0.15
    const defect = 9.5 * s.wear ** 1.7 * (rotating ? 0.5 + 0.5 * Math.min(1, s.speed_mps / 6) : 0.1)
    const vibration = Math.max(0.02, healthy * (1 + vNoise) + defect * (1 + wNoise) + 0.03 * white)

    return {
      roll_force_kN: force,
      tension_kN: Math.max(0, s.frontTension_kN * (1 + 0.01 * tensionNoise)),
      speed_mps: s.speed_mps,
      motor_current_A: current,
      motor_power_kW: power_kW,
      roll_gap_mm: s.strip ? rollGap_mm(s.hOut, force) : OPEN_GAP_MM,
      hydraulic_pressure_bar: BALANCE_BAR + force / HGC_KN_PER_BAR,
      vibration_mm_s: vibration,
      bearing_temp_C: this.bearingTemp + 0.05 * white,
      work_roll_temp_C: this.rollTemp,
    }
  }
}
