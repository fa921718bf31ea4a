// Synthetic mill telemetry for the rule-level tests: a deterministic, deliberately simple
// model of line tcm1 (coil changes, threading, acceleration, running) with instrument noise,
// on which each simulator fault is drawn by hand. It imports nothing from simulators/, so
// the alarm rules are tested against the fault *shapes*, not one simulator's numbers.

export interface Frame {
  readonly ts: number
  readonly equipment: string
  values: Record<string, number>
}

export const T0 = Date.parse('2025-11-24T08:00:00Z')
/** One coil: gap, threading, acceleration, running, deceleration, tail out (seconds). */
const CYCLE = { gap: 30, thread: 20, accel: 12, run: 220, decel: 12, tail: 6 }
const PERIOD = Object.values(CYCLE).reduce((a, b) => a + b, 0)
export const RUN_SPEED = 13
const THREAD_SPEED = 1.5
/** Speed ratio of each stand to the exit (mass flow), and its tension set point, kN. */
const STANDS = [
  { id: 'stand1', ratio: 0.3, tension: 180 },
  { id: 'stand2', ratio: 0.45, tension: 160 },
  { id: 'stand3', ratio: 0.6, tension: 140 },
  { id: 'stand4', ratio: 0.8, tension: 110 },
  { id: 'stand5', ratio: 1, tension: 40 },
]

/** Exit speed and whether strip is in the mill at `s` seconds into the run. */
export function phaseAt(s: number): { speed: number; strip: boolean; gauge: boolean } {
  let x = s % PERIOD
  if ((x -= CYCLE.gap) < 0) return { speed: 0, strip: false, gauge: false }
  if ((x -= CYCLE.thread) < 0) return { speed: THREAD_SPEED, strip: true, gauge: x > -3 }
  if ((x -= CYCLE.accel) < 0) return { speed: RUN_SPEED + (x / CYCLE.accel) * (RUN_SPEED - THREAD_SPEED), strip: true, gauge: true }
  if ((x -= CYCLE.run) < 0) return { speed: RUN_SPEED, strip: true, gauge: true }
  if ((x -= CYCLE.decel) < 0) return { speed: THREAD_SPEED - (x / CYCLE.decel) * (RUN_SPEED - THREAD_SPEED), strip: true, gauge: true }
  return { speed: THREAD_SPEED, strip: true, gauge: false }
}

/** mulberry32: a small seeded generator, plus a normal deviate. */
function rng(seed: number) {
  let a = seed >>> 0
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
}

const r = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits

/** Healthy telemetry of the whole line at 10 Hz (1 Hz for temperatures and diameters). */
export function healthyLine(minutes: number, seed = 1): Frame[] {
  const n = rng(seed)
  const frames: Frame[] = []
  const temp = new Map(STANDS.map((s, i) => [s.id, 50 + i]))
  for (let k = 0; k < minutes * 600; k++) {
    const s = k / 10
    const ts = T0 + k * 100
    const slow = k % 10 === 0
    const { speed, strip, gauge } = phaseAt(s)
    const threading = strip && speed === THREAD_SPEED && s % PERIOD < CYCLE.gap + CYCLE.thread
    const rotating = speed > 0
    const uncoiler: Record<string, number> = {
      entry_tension_kN: r(strip ? 60 * (1 + 0.01 * n()) : 0, 1),
      speed_mps: r(speed * 0.2, 3),
      motor_current_A: r(rotating ? 900 + 20 * n() : 0, 1),
      vibration_mm_s: r(Math.max(0.02, (rotating ? 0.3 + 0.08 * speed * 0.2 : 0.12) * (1 + 0.08 * n()) + 0.03 * n()), 2),
    }
    if (slow) Object.assign(uncoiler, { coil_diameter_mm: r(1800 - (s % PERIOD), 0), bearing_temp_C: r(45 + 0.05 * n(), 2) })
    frames.push({ ts, equipment: 'uncoiler', values: uncoiler })
    for (const st of STANDS) {
      const v = speed * st.ratio
      const force = strip ? 8000 * (1 + 0.01 * n()) : 0
      const t = temp.get(st.id)! + ((rotating ? 62 : 40) - temp.get(st.id)!) * (0.1 / 300)
      temp.set(st.id, t)
      const values: Record<string, number> = {
        roll_force_kN: r(force, 1),
        tension_kN: r(strip ? st.tension * (threading ? 0.35 : 1) * (1 + 0.01 * n()) : 0, 1),
        speed_mps: r(v, 3),
        motor_current_A: r(rotating ? 120 + 0.4 * force * (1 + 0.01 * n()) : 0, 1),
        motor_power_kW: r(rotating ? 0.3 * force * v * 0.1 : 0, 1),
        roll_gap_mm: r(strip ? 0.5 - force / 5000 : 5, 3),
        hydraulic_pressure_bar: r(20 + force / 100, 1),
        vibration_mm_s: r(Math.max(0.02, (rotating ? 0.35 + 0.055 * v + 0.16 : 0.15) * (1 + 0.08 * n()) + 0.03 * n()), 2),
      }
      if (slow) Object.assign(values, { bearing_temp_C: r(t + 0.05 * n(), 2), work_roll_temp_C: r(t + 10, 1) })
      frames.push({ ts, equipment: st.id, values })
    }
    const exit: Record<string, number> = {
      strip_speed_mps: r(speed * (1 + 0.0005 * n()), 3),
      exit_tension_kN: r(strip ? 45 * (1 + 0.015 * n()) : 0, 1),
    }
    if (slow) exit.coil_diameter_mm = r(610 + (strip ? (s % PERIOD) * 4 : 0), 0)
    if (gauge) {
      const dev = r(2 * n() + (threading ? 3 : 0), 1)
      Object.assign(exit, { thickness_dev_um: dev, thickness_um: r(500 + dev, 1) })
      if (slow) exit.flatness_IU = r(3 * n(), 1)
    }
    frames.push({ ts, equipment: 'exit', values: exit })
  }
  return frames
}

/** Seconds since T0 of the first moment at or after `fromS` that the line runs at full speed. */
export function nextRunAt(fromS: number): number {
  let s = fromS
  while (phaseAt(s).speed !== RUN_SPEED) s += 0.1
  return Math.round(s * 10) / 10
}

export const secondsOf = (f: Frame) => (f.ts - T0) / 1000
