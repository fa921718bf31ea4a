// ISO 10816-3 (ISO 20816-3 since 2022) evaluation zones for vibration velocity RMS (mm/s)
// of industrial machines measured on bearing housings:
//   A  newly commissioned machines
//   B  acceptable for unrestricted long-term operation
//   C  unsatisfactory for long-term operation (a warning, DESIGN.md)
//   D  severe enough to cause damage (a high-priority alarm, DESIGN.md)
// Boundaries depend on machine group and foundation; the rigid-foundation values are below.
// A reading exactly on a boundary stays in the lower zone: the standard's limits are values
// that must be *exceeded* for the next zone (ISO 10816-1 Annex: "alarm … when exceeded"),
// so zone C means v > 4.5 mm/s for group 1, as the alert rules on `vibration_mm_s` read it.

export type VibrationZone = 'A' | 'B' | 'C' | 'D'

export interface ZoneBoundaries {
  /** A/B boundary, mm/s */
  readonly AB: number
  /** B/C boundary, mm/s */
  readonly BC: number
  /** C/D boundary, mm/s */
  readonly CD: number
}

export const ISO_10816_3 = Object.freeze({
  /** group 1: large machines, 300 kW – 50 MW (mill stand drives), rigid foundation */
  group1: Object.freeze({ AB: 2.3, BC: 4.5, CD: 7.1 }),
  /** group 2: medium machines, 15 – 300 kW, rigid foundation */
  group2: Object.freeze({ AB: 1.4, BC: 2.8, CD: 4.5 }),
}) satisfies Record<string, ZoneBoundaries>

export function vibrationZone(v_mm_s: number, b: ZoneBoundaries = ISO_10816_3.group1): VibrationZone {
  if (v_mm_s > b.CD) return 'D'
  if (v_mm_s > b.BC) return 'C'
  if (v_mm_s > b.AB) return 'B'
  return 'A'
}

/** Boundaries must rise: A/B < B/C < C/D, all positive. */
export const validBoundaries = (b: ZoneBoundaries): boolean => b.AB > 0 && b.AB < b.BC && b.BC < b.CD
