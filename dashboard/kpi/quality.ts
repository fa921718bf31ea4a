// Production and thickness quality of the coils finished in a period: tonnage, coil count,
// the share of strip length within tolerance and Cpk per grade, pooled from each coil's
// process summary (coils/summary.ts, coils/thickness.ts). Pure.
//
// Weights: a coil weighs the strip length its gauge readings stand for (`gaugedLength_m`),
// else its measured length; a coil with neither counts only in tonnage and coil count.
//   in tolerance = Σ wᵢ · shareᵢ / Σ wᵢ          (shareᵢ: the coil's length share within target ± tol)
//
// Cpk per grade. Coils of one grade are rolled to different targets with different ± tolerances
// (EN 10131 bands by thickness), so each coil's mean and σ are first expressed in units of its
// own tolerance: mᵢ = (μᵢ − targetᵢ) / tolᵢ, sᵢ = σᵢ / tolᵢ; the limits are then ±1 for every
// coil. With M = Σ wᵢ mᵢ / Σ wᵢ:
//   Cpk = (1 − |M|) / (3 σ_within),  σ_within² = Σ wᵢ sᵢ² / Σ wᵢ             (ISO 22514-2: coils as subgroups)
//   Ppk = (1 − |M|) / (3 σ_overall), σ_overall² = Σ wᵢ (sᵢ² + (mᵢ − M)²) / Σ wᵢ  (adds the spread between coils)
// When every coil shares one target and tolerance this is the textbook min(USL − μ, μ − LSL) / 3σ.
import type { CoilFacts } from '../../store/types.ts'

export interface GradeQuality {
  grade: string
  coils: number
  tonnage_t: number
  inTolerancePct: number | null
  cpk: number | null
  ppk: number | null
}

export interface QualityFigures {
  tonnage_t: number
  coils: number
  /** 0–100 */
  inTolerancePct: number | null
  byGrade: GradeQuality[]
}

const weightOf = (c: CoilFacts) => (c.thickness?.gaugedLength_m && c.thickness.gaugedLength_m > 0 ? c.thickness.gaugedLength_m : c.length_m && c.length_m > 0 ? c.length_m : 0)

function inTolerance(coils: readonly CoilFacts[]): number | null {
  let w = 0
  let inside = 0
  for (const c of coils) {
    const share = c.thickness?.inToleranceShare
    const wi = weightOf(c)
    if (share === undefined || share === null || wi <= 0) continue
    w += wi
    inside += wi * share
  }
  return w > 0 ? (100 * inside) / w : null
}

/** Cpk and Ppk of coils pooled in tolerance units (see the formula above). */
export function pooledCapability(coils: readonly CoilFacts[]): { cpk: number | null; ppk: number | null } {
  const parts: { w: number; m: number; s: number }[] = []
  for (const c of coils) {
    const t = c.thickness
    const w = weightOf(c)
    if (!t || w <= 0 || t.target_um === undefined || !t.tolerance_um || t.tolerance_um <= 0) continue
    parts.push({ w, m: (t.mean_um - t.target_um) / t.tolerance_um, s: t.stdDev_um / t.tolerance_um })
  }
  const W = parts.reduce((a, p) => a + p.w, 0)
  if (W <= 0) return { cpk: null, ppk: null }
  const M = parts.reduce((a, p) => a + p.w * p.m, 0) / W
  const within = Math.sqrt(parts.reduce((a, p) => a + p.w * p.s * p.s, 0) / W)
  const overall = Math.sqrt(parts.reduce((a, p) => a + p.w * (p.s * p.s + (p.m - M) ** 2), 0) / W)
  const k = 1 - Math.abs(M)
  return { cpk: within > 0 ? k / (3 * within) : null, ppk: overall > 0 ? k / (3 * overall) : null }
}

export function qualityFigures(coils: readonly CoilFacts[]): QualityFigures {
  const grades = new Map<string, CoilFacts[]>()
  for (const c of coils) {
    const g = c.grade ?? '(none)'
    const list = grades.get(g)
    if (list) list.push(c)
    else grades.set(g, [c])
  }
  const tonnage = (cs: readonly CoilFacts[]) => cs.reduce((t, c) => t + (c.weight_t ?? 0), 0)
  return {
    tonnage_t: tonnage(coils),
    coils: coils.length,
    inTolerancePct: inTolerance(coils),
    byGrade: [...grades]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([grade, cs]) => ({ grade, coils: cs.length, tonnage_t: tonnage(cs), inTolerancePct: inTolerance(cs), ...pooledCapability(cs) })),
  }
}
