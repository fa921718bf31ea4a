// A synthetic coil's telemetry for the benchmark and the timing test: the default plant
// model's sensors (config/plant.yaml: uncoiler, five stands, exit — 62 series), every one at
// the same rate, with deterministic noise. Plausible values, not a rolling model: the
// simulator (simulators/) is the realistic source; this one only has to be big and fast.
import type { RawPoint } from '../store/types.ts'
import type { SummaryInput } from './summary.ts'

const UNCOILER = ['coil_diameter_mm', 'entry_tension_kN', 'speed_mps', 'motor_current_A', 'vibration_mm_s', 'bearing_temp_C']
const STAND = ['roll_force_kN', 'tension_kN', 'speed_mps', 'motor_current_A', 'motor_power_kW', 'roll_gap_mm', 'hydraulic_pressure_bar', 'vibration_mm_s', 'bearing_temp_C', 'work_roll_temp_C']
const EXIT = ['thickness_um', 'thickness_dev_um', 'strip_speed_mps', 'exit_tension_kN', 'coil_diameter_mm', 'flatness_IU']
const LEVEL: Record<string, number> = {
  roll_force_kN: 12_000, tension_kN: 200, speed_mps: 12, vibration_mm_s: 2, thickness_um: 500, strip_speed_mps: 20, thickness_dev_um: 0,
}

export interface SyntheticCoil {
  input: SummaryInput
  points: number
}

/** `seconds` of telemetry at `hz` from `from` (epoch ms) for the whole mill. */
export function syntheticCoil(opts: { from: number; seconds: number; hz: number; seed?: number }): SyntheticCoil {
  let state = (opts.seed ?? 1) >>> 0
  const noise = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0 // Numerical Recipes LCG
    return state / 2 ** 32 - 0.5
  }
  const n = Math.round(opts.seconds * opts.hz)
  const step = 1000 / opts.hz
  const series = (sensor: string): RawPoint[] => {
    const level = LEVEL[sensor] ?? 100
    const out = new Array<RawPoint>(n)
    for (let i = 0; i < n; i++) out[i] = { ts: opts.from + Math.round(i * step), value: level + (sensor === 'thickness_um' ? 6 : level * 0.02) * noise() }
    return out
  }
  const telemetry: Record<string, Record<string, RawPoint[]>> = {}
  const add = (eq: string, sensors: string[]) => (telemetry[eq] = Object.fromEntries(sensors.map((s) => [s, series(s)])))
  add('uncoiler', UNCOILER)
  const stands = ['stand1', 'stand2', 'stand3', 'stand4', 'stand5']
  for (const s of stands) add(s, STAND)
  add('exit', EXIT)
  const points = Object.values(telemetry).reduce((sum, eq) => sum + Object.values(eq).reduce((k, s) => k + s.length, 0), 0)
  return {
    input: { from: opts.from, to: opts.from + opts.seconds * 1000, telemetry, stands, target_mm: 0.5, tolerance_um: 20 },
    points,
  }
}
