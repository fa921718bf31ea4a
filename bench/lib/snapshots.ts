// Bench load shaped by the simulator: the stands' readings of a simulated minute, carried
// forward into full 10-value snapshots (as a PLC gateway that publishes every signal at every
// scan does). Every message then holds exactly 10 readings, the shape the floors are set for.
import { createMill } from '../../simulators/mill.ts'
import type { TelemetryPayload } from '../../core/payloads.ts'

export const STAND_SENSORS = [
  'roll_force_kN',
  'tension_kN',
  'speed_mps',
  'motor_current_A',
  'motor_power_kW',
  'roll_gap_mm',
  'hydraulic_pressure_bar',
  'vibration_mm_s',
  'bearing_temp_C',
  'work_roll_temp_C',
] as const

/** JSON of the `values` object of each snapshot, per stand (1..5), over `ticks` ticks at 10 Hz. */
export function standSnapshots(seed: number, ticks: number): string[][] {
  const start = Date.parse('2025-11-24T00:00:00Z')
  const mill = createMill({ seed, startMs: start })
  const last: Record<string, Record<string, number>> = {}
  const out: string[][] = [[], [], [], [], []]
  // Skip the first simulated minutes so the mill is rolling, not threading.
  for (let t = 0; t < 1800 + ticks; t++) {
    for (const m of mill.step(start + t * 100)) {
      const stand = /^plant\/tcm1\/stand(\d)\/telemetry$/.exec(m.topic)?.[1]
      if (!stand) continue
      last[stand] = { ...last[stand], ...(m.payload as TelemetryPayload).values }
    }
    if (t < 1800) continue
    for (let s = 1; s <= 5; s++) {
      const v = last[s]
      if (!v || STAND_SENSORS.some((k) => v[k] === undefined)) continue
      out[s - 1].push(JSON.stringify(Object.fromEntries(STAND_SENSORS.map((k) => [k, v[k]]))))
    }
  }
  return out
}
