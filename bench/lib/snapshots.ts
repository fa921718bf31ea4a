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

/**
 * JSON of the `values` object of each snapshot, per stand (1..5): `ticks` ticks of the
 * simulator at 10 Hz while the mill rolls at full speed, played forth and back so the cycle
 * repeats without a jump, each step cut into `perTick` evenly spaced snapshots. A generator
 * that publishes a stand 250 times a second passes 25: the readings then change as fast as
 * the simulated mill's do, no faster.
 * Replayed without it, a 10 Hz step arrived every 4 ms: every stand's tension rose 25× faster
 * than the mill's, the rate-of-change rules (tension_spike) held 100 alarms active for the
 * whole run, and the wrap from the last tick to the first was a spike of its own.
 */
export function standSnapshots(seed: number, ticks: number, perTick = 1): string[][] {
  const start = Date.parse('2025-11-24T00:00:00Z')
  const mill = createMill({ seed, startMs: start })
  const last: Record<string, Record<string, number>> = {}
  const all: number[][][] = [[], [], [], [], []]
  // 20 simulated minutes: several coils, each threaded, accelerated, rolled and tailed out.
  for (let t = 0; t < 12_000; t++) {
    for (const m of mill.step(start + t * 100)) {
      const stand = /^plant\/tcm1\/stand(\d)\/telemetry$/.exec(m.topic)?.[1]
      if (!stand) continue
      last[stand] = { ...last[stand], ...(m.payload as TelemetryPayload).values }
    }
    for (let s = 1; s <= 5; s++) {
      const v = last[s]
      all[s - 1].push(v && !STAND_SENSORS.some((k) => v[k] === undefined) ? STAND_SENSORS.map((k) => v[k]) : [])
    }
  }
  // The first stretch of `ticks` in which the last stand rolls at full speed: a mill at work.
  const speed = all[4].map((v) => v[STAND_SENSORS.indexOf('speed_mps')] ?? 0)
  const top = Math.max(...speed)
  let from = 0
  for (let run = 0, t = 0; t < speed.length && run < ticks; t++) {
    run = speed[t] >= 0.95 * top && all.every((f) => f[t].length) ? run + 1 : 0
    from = t - run + 1
  }
  const frames = all.map((f) => f.slice(from, from + ticks))
  return frames.map((f) => {
    const cycle = f.length > 1 ? [...f, ...f.slice(1, -1).reverse()] : f
    const out: string[] = []
    for (let i = 0; i < cycle.length; i++) {
      const a = cycle[i]
      const b = cycle[(i + 1) % cycle.length]
      for (let j = 0; j < perTick; j++) {
        const x = j / perTick
        out.push(JSON.stringify(Object.fromEntries(STAND_SENSORS.map((k, n) => [k, round(a[n] + (b[n] - a[n]) * x)]))))
      }
    }
    return out
  })
}

/** Interpolated readings keep the simulator's resolution, not 17 digits. */
const round = (v: number) => Math.round(v * 1000) / 1000
