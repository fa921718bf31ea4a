// Each coil's exit-gauge summary for its finish event: mean thickness, spread and the
// share of the length within tolerance (what a QA inspector looks at first).
import { round } from './random.ts'

/** Thickness tolerance of the exit gauge limits in config/plant.yaml, µm. */
export const TOLERANCE_UM = 10

/** Running statistics of the exit gauge over one coil. */
export class GaugeSummary {
  private n = 0
  private sum = 0
  private sumSq = 0
  private inTolerance = 0
  private maxSpeed = 0

  reset(): void {
    this.n = this.sum = this.sumSq = this.inTolerance = this.maxSpeed = 0
  }

  add(dev_um: number, speed_mps: number): void {
    this.n++
    this.sum += dev_um
    this.sumSq += dev_um * dev_um
    if (Math.abs(dev_um) <= TOLERANCE_UM) this.inTolerance++
    if (speed_mps > this.maxSpeed) this.maxSpeed = speed_mps
  }

  summary(target_mm: number): Record<string, number> {
    if (this.n === 0) return {}
    const mean = this.sum / this.n
    const sd = Math.sqrt(Math.max(0, this.sumSq / this.n - mean * mean))
    return {
      exitThickness_mm: round(target_mm + mean / 1000, 4),
      thicknessStdDev_um: round(sd, 2),
      inTolerance_pct: round((100 * this.inTolerance) / this.n, 1),
      maxSpeed_mps: round(this.maxSpeed, 2),
    }
  }
}
