// Rolling physics of one stand, textbook cold-rolling models kept simple enough for 10 Hz:
// pass schedule by load-share factors, roll force by Roberts' cold-rolling formula with
// Hitchcock's roll flattening, torque by the lever-arm method, mass flow for the speeds
// (W. L. Roberts, "Cold Rolling of Steel", 1978; Ginzburg, "Steel-Rolling Technology").
import type { Grade } from './coils.ts'
import { STANDS } from './catalog.ts'

export const WORK_ROLL_RADIUS_MM = 250
/** Mill modulus of a four-high stand: gap stretch = force / modulus (gaugemeter equation). */
export const MILL_MODULUS_KN_MM = 5000
/** Hitchcock's constant 16(1−ν²)/(πE) for steel rolls, E = 210 GPa, ν = 0.3, in mm²/N. */
const HITCHCOCK_C = 2.2e-5
/** Share of the total logarithmic strain taken by each stand: heavy first passes, light last. */
const LOAD_SHARES = [1.25, 1.15, 1.0, 0.85, 0.45]
/** Specific tension (MPa) of the entry span, the four inter-stand spans and the reel span. */
const SPECIFIC_TENSION_MPA = [25, 110, 130, 150, 160, 60]
/** A tensiometer's (and the strip's) safe ceiling for these widths. */
const MAX_TENSION_KN = 380
/** Torque lever arm as a fraction of the contact length (cold rolling: 0.35–0.45). */
const LEVER_ARM = 0.4
/** Hot-band pre-strain in the flow curve. */
const PRE_STRAIN = 0.02
/** Rotating masses of a stand drive referred to the roll surface (accelerating power). */
export const DRIVE_MASS_KG = 40_000

export interface PassSchedule {
  /** Thickness after each stand, mm: h[0] entry, h[5] exit. */
  readonly h: readonly number[]
  /** Equivalent (von Mises plane-strain) strain reached at each h. */
  readonly strain: readonly number[]
  /** Tension set points of spans 0 (uncoiler→stand1) … 5 (stand5→reel), kN. */
  readonly tensionSet_kN: readonly number[]
}

export function passSchedule(entry_mm: number, exit_mm: number, width_mm: number): PassSchedule {
  const total = Math.log(entry_mm / exit_mm)
  const sum = LOAD_SHARES.reduce((a, b) => a + b, 0)
  const h = [entry_mm]
  let cumulative = 0
  for (let i = 0; i < STANDS; i++) {
    cumulative += (total * LOAD_SHARES[i]) / sum
    h.push(entry_mm * Math.exp(-cumulative))
  }
  h[STANDS] = exit_mm
  const strain = h.map((x) => (2 / Math.sqrt(3)) * Math.log(entry_mm / x))
  const tensionSet_kN = SPECIFIC_TENSION_MPA.map((s, j) => Math.min(MAX_TENSION_KN, (s * width_mm * h[j]) / 1000))
  return { h, strain, tensionSet_kN }
}

/** Coefficient of friction in the bite: falls with speed as the emulsion film thickens. */
export const friction = (speed_mps: number) => 0.035 + 0.025 * Math.exp(-speed_mps / 3)

/** Plane-strain flow stress k = (2/√3)·σ at equivalent strain ε, MPa. */
export const planeStrainFlowStress = (g: Grade, strain: number) => (2 / Math.sqrt(3)) * g.K * (PRE_STRAIN + strain) ** g.n

export interface BiteInput {
  grade: Grade
  width_mm: number
  hIn: number
  hOut: number
  strainIn: number
  strainOut: number
  backTension_kN: number
  frontTension_kN: number
  speed_mps: number
}

export interface BiteResult {
  force_kN: number
  /** Contact arc length with the flattened roll, mm. */
  contact_mm: number
}

export function rollForce(b: BiteInput): BiteResult {
  const dh = b.hIn - b.hOut
  const r = dh / b.hIn
  const k = planeStrainFlowStress(b.grade, (b.strainIn + b.strainOut) / 2)
  const sigmaBack = (b.backTension_kN * 1000) / (b.width_mm * b.hIn)
  const sigmaFront = (b.frontTension_kN * 1000) / (b.width_mm * b.hOut)
  // Back tension lowers the force more than front tension does.
  const kEff = Math.max(0.3 * k, k - 0.6 * sigmaBack - 0.4 * sigmaFront)
  const mu = friction(b.speed_mps)
  let radius = WORK_ROLL_RADIUS_MM
  let perWidth = 0 // N/mm
  let contact = 0
  for (let iter = 0; iter < 5; iter++) {
    contact = Math.sqrt(radius * dh)
    // Roberts: Qp = 1.08 + 1.79·μ·r·√(R'/h2) − 1.02·r
    const qp = 1.08 + 1.79 * mu * r * Math.sqrt(radius / b.hOut) - 1.02 * r
    perWidth = contact * kEff * qp
    radius = WORK_ROLL_RADIUS_MM * (1 + (HITCHCOCK_C * perWidth) / dh)
  }
  return { force_kN: (perWidth * b.width_mm) / 1000, contact_mm: contact }
}

/**
 * Driving force at the roll surface (kN): rolling torque 2·F·λ·l / R, plus back tension
 * (which the stand must overcome, scaled by mass flow) minus front tension (which helps), plus
 * the rotating masses' inertia while the line accelerates.
 */
export function driveForce_kN(force_kN: number, contact_mm: number, hIn: number, hOut: number, backTension_kN: number, frontTension_kN: number, accel_mps2: number): number {
  const rolling = (2 * force_kN * LEVER_ARM * contact_mm) / WORK_ROLL_RADIUS_MM
  return rolling + (backTension_kN * hOut) / hIn - frontTension_kN + (DRIVE_MASS_KG * accel_mps2) / 1000
}

/** Roll gap set point from the gaugemeter equation h = S + F/M. */
export const rollGap_mm = (hOut: number, force_kN: number) => hOut - force_kN / MILL_MODULUS_KN_MM
