// Splitting a coil (issue 5, genealogy): slitting cuts it lengthwise into narrower coils,
// cutting (recoiling with a shear) crosswise into shorter ones. Each child is a coil of its
// own with a new ID; it inherits what the steel is — heat, grade, hot band, thickness — and
// links back to its parent, which lists its children, so the genealogy walks both ways.
import type { Failure } from './gs1.ts'
import { isCoilId } from './coil-id.ts'
import type { CoilRecord, CoilStatus } from './model.ts'

export interface ChildSpec {
  id: string
  /** slit width; the parent's width when left out (a cut) */
  width_mm?: number
  /** the parent's length when left out and the child is narrower (a slit); else unknown */
  length_m?: number
  /** weighed; else estimated from the parent's weight by plan area */
  weight_t?: number
}

/** Coils that physically exist at the plant and have been judged or await judging. */
const SPLITTABLE: readonly CoilStatus[] = ['finished', 'hold', 'released']
const MAX_CHILDREN = 64
/** Scale and tape measure disagree a little; a larger excess is a typing error. */
const SLACK = 1.005

const positive = (v: number | undefined) => v === undefined || (Number.isFinite(v) && v > 0)

/**
 * The parent (now listing its children) and the children, or why the split is refused.
 * A child of a held coil is held too (with the parent's hold reason): cutting out a defect
 * is a common way to deal with a hold, and each remaining piece is released on its own.
 */
export function splitCoil(parent: CoilRecord, specs: readonly ChildSpec[], at: number): { parent: CoilRecord; children: CoilRecord[] } | Failure {
  if (!SPLITTABLE.includes(parent.status)) return { error: `coil ${parent.id} is ${parent.status}: only ${SPLITTABLE.join(', ')} coils can be split` }
  if (parent.children.length > 0) return { error: `coil ${parent.id} was already split into ${parent.children.join(', ')}` }
  if (specs.length === 0 || specs.length > MAX_CHILDREN) return { error: `a split makes 1 to ${MAX_CHILDREN} coils` }

  const seen = new Set<string>()
  for (const s of specs) {
    if (!isCoilId(s.id)) return { error: `"${String(s.id).slice(0, 64)}" is not a coil ID` }
    if (s.id === parent.id) return { error: 'a child cannot have its parent\'s ID' }
    if (seen.has(s.id)) return { error: `coil ID ${s.id} is given twice` }
    seen.add(s.id)
    if (!positive(s.width_mm) || !positive(s.length_m) || !positive(s.weight_t)) return { error: `coil ${s.id}: width, length and weight must be positive numbers` }
    if (s.width_mm !== undefined && parent.width_mm !== undefined && s.width_mm > parent.width_mm * SLACK)
      return { error: `coil ${s.id} is wider (${s.width_mm} mm) than its parent (${parent.width_mm} mm)` }
    if (s.length_m !== undefined && parent.length_m !== undefined && s.length_m > parent.length_m * SLACK)
      return { error: `coil ${s.id} is longer (${s.length_m} m) than its parent (${parent.length_m} m)` }
  }

  const W = parent.width_mm
  const L = parent.length_m
  const dims = specs.map((s) => {
    const width = s.width_mm ?? W
    const slit = width !== undefined && W !== undefined && width < W
    const length = s.length_m ?? (slit ? L : undefined)
    const weight = s.weight_t ?? (width !== undefined && length !== undefined && W && L && parent.weight_t !== undefined
      ? Math.round(parent.weight_t * ((width * length) / (W * L)) * 1000) / 1000
      : undefined)
    return { spec: s, width, length, weight }
  })

  // Conservation: the children together cannot hold more steel than the parent.
  if (W !== undefined && L !== undefined && dims.every((d) => d.width !== undefined && d.length !== undefined)) {
    const area = dims.reduce((sum, d) => sum + d.width! * d.length!, 0)
    if (area > W * L * SLACK) return { error: 'the children together cover more than the parent (width × length)' }
  }
  if (parent.weight_t !== undefined && dims.every((d) => d.weight !== undefined)) {
    const total = dims.reduce((sum, d) => sum + d.weight!, 0)
    if (total > parent.weight_t * SLACK) return { error: `the children weigh ${total.toFixed(3)} t together, more than the parent's ${parent.weight_t} t` }
  }

  const children: CoilRecord[] = dims.map((d) => ({
    id: d.spec.id,
    line: parent.line,
    status: parent.status,
    hotBandId: parent.hotBandId,
    heat: parent.heat,
    grade: parent.grade,
    entryThickness_mm: parent.entryThickness_mm,
    targetThickness_mm: parent.targetThickness_mm,
    measuredThickness_mm: parent.measuredThickness_mm,
    width_mm: d.width,
    length_m: d.length,
    weight_t: d.weight,
    splitFrom: parent.id,
    splitAt: at,
    children: [],
    statusChange: parent.status === 'hold' ? parent.statusChange : undefined,
    // An equipment fault while the parent was rolled touched every piece of it.
    suspectAlarms: parent.suspectAlarms,
    extra: {},
  }))
  return { parent: { ...parent, children: children.map((c) => c.id), splitAt: at }, children }
}
