// The coil schedule: which hot-rolled, pickled coils come to the mill, one after another.
// Grades are the usual cold-rolled low-carbon family (JIS G 3141 SPCC/SPCD, EN 10130
// DC01/DC03/DC04); their flow curves feed the roll-force model in rolling.ts.
import type { Rng } from './random.ts'
import { round } from './random.ts'

/** Flow curve σ = K·(ε0 + ε)^n in MPa (Swift/Hollomon), typical for each grade. */
export interface Grade {
  readonly name: string
  readonly K: number
  readonly n: number
}

export const GRADES: readonly (readonly [Grade, number])[] = [
  [{ name: 'SPCC', K: 560, n: 0.22 }, 35],
  [{ name: 'DC01', K: 550, n: 0.22 }, 25],
  [{ name: 'SPCD', K: 530, n: 0.23 }, 15],
  [{ name: 'DC03', K: 520, n: 0.23 }, 10],
  [{ name: 'DC04', K: 500, n: 0.24 }, 15],
]

export const STEEL_DENSITY_T_M3 = 7.85
const ENTRY_GAUGES_MM = [2.0, 2.3, 2.5, 2.75, 3.0, 3.25, 3.5, 4.0]
const EXIT_GAUGES_MM = [0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 1.0, 1.2, 1.5]

export interface CoilSpec {
  readonly parentId: string
  readonly heat: string
  readonly grade: Grade
  readonly entryThickness_mm: number
  readonly targetThickness_mm: number
  readonly width_mm: number
  readonly weight_t: number
  /** Exit (cold-rolled) length: weight / (density × width × exit thickness). */
  readonly length_m: number
  readonly threadSpeed_mps: number
  readonly runSpeed_mps: number
}

export const coilLength_m = (weight_t: number, width_mm: number, thickness_mm: number) =>
  weight_t / (STEEL_DENSITY_T_M3 * (width_mm / 1000) * (thickness_mm / 1000))

/** Hands out coils; several coils come from each heat (a ~250 t heat gives about ten slabs). */
export class CoilFactory {
  private heat = ''
  private slabsLeft = 0
  private slab = 0

  constructor(private readonly rng: Rng) {}

  next(nowMs: number): CoilSpec {
    const rng = this.rng
    if (this.slabsLeft <= 0) {
      const yy = String(new Date(nowMs).getUTCFullYear() % 100).padStart(2, '0')
      this.heat = `${yy}${rng.pick(['A', 'B', 'C'])}${String(rng.int(0, 99999)).padStart(5, '0')}`
      this.slabsLeft = rng.int(6, 12)
      this.slab = 0
    }
    this.slabsLeft--
    this.slab++
    const grade = rng.weighted(GRADES)
    const entry = rng.pick(ENTRY_GAUGES_MM)
    // Total cold reduction of a five-stand mill: 50–88 %.
    const exits = EXIT_GAUGES_MM.filter((h) => h <= entry * 0.5 && h >= entry * 0.12)
    const target = rng.pick(exits)
    // Thin gauges are rolled narrower: force and power grow with width × reduction.
    const width = Math.round(rng.range(900, target < 0.5 ? 1250 : 1500) / 10) * 10
    const weight = round(rng.range(15, 30), 2)
    // Thin gauge runs fastest; the line's rated speed (25 m/s) is never reached.
    const run = Math.min(24.5, Math.max(15, 24 - 6 * (target - 0.3) + rng.range(-1.5, 1.5)))
    return {
      parentId: `H${this.heat}${String(this.slab).padStart(2, '0')}`,
      heat: this.heat,
      grade,
      entryThickness_mm: entry,
      targetThickness_mm: target,
      width_mm: width,
      weight_t: weight,
      length_m: round(coilLength_m(weight, width, target), 1),
      threadSpeed_mps: round(rng.range(1.2, 1.8), 2),
      runSpeed_mps: round(run, 1),
    }
  }
}

// The plant's clock: China Standard Time, UTC+8 all year (no daylight saving).
const PLANT_OFFSET_MS = 8 * 3_600_000
const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/**
 * `C` + plant date (yyMMdd, Asia/Shanghai) + line number + the 10-second slot of the day
 * (0000–8639), e.g. C26112510417. Derived from the start time, so it is deterministic and a
 * restarted simulator does not reuse the IDs of earlier runs; coils on one line start at
 * least 10 s apart (gap + threading), so two coils never share a slot.
 */
export function coilId(startMs: number, lineNumber: number): string {
  const local = new Date(startMs + PLANT_OFFSET_MS)
  const date = `${pad(local.getUTCFullYear() % 100)}${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())}`
  const slot = Math.floor((local.getUTCHours() * 3600 + local.getUTCMinutes() * 60 + local.getUTCSeconds()) / 10)
  return `C${date}${lineNumber}${pad(slot, 4)}`
}

/** The attributes that go with every coil event. */
export function coilAttributes(c: CoilSpec, passSchedule_mm: readonly number[]) {
  return {
    parentId: c.parentId,
    heat: c.heat,
    grade: c.grade.name,
    entryThickness_mm: c.entryThickness_mm,
    targetThickness_mm: c.targetThickness_mm,
    width_mm: c.width_mm,
    weight_t: c.weight_t,
    length_m: c.length_m,
    passSchedule_mm: passSchedule_mm.map((h) => round(h, 3)),
  }
}
