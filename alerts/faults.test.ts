// The default rules against the simulator's fault scenarios, drawn on synthetic telemetry:
// each fault must raise the right alarm on the right equipment, and a healthy line nothing.
import { describe, expect, it } from 'vitest'
import { AlarmEngine, type AlarmChange } from './engine.ts'
import { defaultRules, drive } from './testing/rules.ts'
import { healthyLine, nextRunAt, phaseAt, secondsOf, T0, type Frame } from './testing/synthetic.ts'

const rules = defaultRules()
const replay = (frames: readonly Frame[]) => drive(new AlarmEngine(rules, {}, T0), frames)

/** `equipment/rule/sensor` of every alarm annunciated to the operator. */
const annunciated = (changes: readonly AlarmChange[]) =>
  [...new Set(changes.filter((c) => c.transition.to === 'unacknowledged').map((c) => `${c.transition.equipment}/${c.transition.rule}/${c.transition.sensor}`))].sort()

const firstAt = (changes: readonly AlarmChange[], rule: string, action = 'activate') => changes.find((c) => c.transition.rule === rule && c.transition.action === action)?.transition.at

/** Applies `fn` to the frames of `equipment` between `from` and `to` seconds. */
function patch(frames: Frame[], equipment: string, from: number, to: number, fn: (f: Frame, s: number) => void): Frame[] {
  for (const f of frames) if (f.equipment === equipment && secondsOf(f) >= from && secondsOf(f) < to) fn(f, secondsOf(f))
  return frames
}

describe('a healthy line', () => {
  it.each([1, 2])('raises nothing in 45 minutes of coils (seed %i)', (seed) => {
    expect(replay(healthyLine(45, seed))).toEqual([])
  })
})

describe('simulator fault scenarios', () => {
  it('bearing wear: vibration climbs 2 → 8 mm/s through zones C and D, temperature follows', () => {
    const wearFrom = 25 * 60
    const frames = patch(healthyLine(34), 'stand3', wearFrom, Infinity, (f, s) => {
      const progress = Math.min(1, (s - wearFrom) / 360)
      if (phaseAt(s).speed > 0) f.values.vibration_mm_s = Math.round((2 + 6 * progress) * (1 + 0.03 * Math.sin(s * 7)) * 100) / 100
      if (f.values.bearing_temp_C !== undefined) f.values.bearing_temp_C += 20 * progress
    })
    const changes = replay(frames)
    expect(annunciated(changes)).toEqual(['stand3/bearing_temp_rising/bearing_temp_C', 'stand3/vibration_zone_c/vibration_mm_s', 'stand3/vibration_zone_d/vibration_mm_s'])
    const c = firstAt(changes, 'vibration_zone_c')!
    const d = firstAt(changes, 'vibration_zone_d')!
    expect(c).toBeLessThan(d)
    // zone C is hidden by design once zone D is up (ISA-18.2 suppression)
    expect(changes.some((x) => x.transition.rule === 'vibration_zone_c' && x.transition.action === 'suppress' && x.transition.at === d)).toBe(true)
    // 4.5 mm/s is reached 150 s into the ramp, 7.1 mm/s at 306 s (plus on-delays and coil gaps)
    expect((c - T0) / 1000 - wearFrom).toBeGreaterThanOrEqual(150)
    expect((d - T0) / 1000 - wearFrom).toBeGreaterThanOrEqual(306)
  })

  it('stuck sensor: a flat-lined bearing temperature and vibration probe', () => {
    let frozenTemp: number | undefined
    let frozenVib: number | undefined
    const frames = patch(healthyLine(16), 'stand2', 600, 840, (f) => {
      if (f.values.bearing_temp_C !== undefined) f.values.bearing_temp_C = frozenTemp ??= f.values.bearing_temp_C
    })
    patch(frames, 'stand5', 600, 840, (f) => (f.values.vibration_mm_s = frozenVib ??= f.values.vibration_mm_s))
    const changes = replay(frames)
    expect(annunciated(changes)).toEqual(['stand2/sensor_stuck/bearing_temp_C', 'stand5/sensor_stuck/vibration_mm_s'])
    expect((firstAt(changes, 'sensor_stuck')! - T0) / 1000).toBe(660)
    expect(changes.filter((c) => c.transition.action === 'clear')).toHaveLength(2)
  })

  it('dropout: a silent stand is one alarm, not one per sensor', () => {
    const frames = healthyLine(15).filter((f) => !(f.equipment === 'stand4' && secondsOf(f) >= 600 && secondsOf(f) < 720))
    const changes = replay(frames)
    expect(annunciated(changes)).toEqual(['stand4/equipment_silent/speed_mps'])
    expect((firstAt(changes, 'equipment_silent')! - T0) / 1000).toBeCloseTo(615, 0)
    // every per-sensor stale alarm went active, but suppressed by design
    const stale = changes.filter((c) => c.transition.rule === 'sensor_stale' && c.transition.action === 'activate')
    expect(stale).toHaveLength(10)
    expect(stale.every((c) => c.transition.to === 'suppressed')).toBe(true)
    expect(firstAt(changes, 'equipment_silent', 'clear')).toBe(T0 + 720_000)
  })

  it('dropout of one sensor: that sensor is stale, and its old value completes no AND', () => {
    // from 10 s into a coil gap (tension 0) until the next coil runs (speed > 2 from 650.5 s)
    const frames = patch(healthyLine(15), 'exit', 610, 670, (f) => delete f.values.exit_tension_kN)
    const changes = replay(frames)
    expect(annunciated(changes)).toEqual(['exit/sensor_stale/exit_tension_kN'])
  })

  it('thickness excursion: +20 µm for 30 s', () => {
    const from = nextRunAt(600) + 10
    const frames = patch(healthyLine(15), 'exit', from, from + 30, (f) => {
      if (f.values.thickness_dev_um === undefined) return
      f.values.thickness_dev_um += 20
      f.values.thickness_um += 20
    })
    const changes = replay(frames)
    expect(annunciated(changes)).toEqual(['exit/thickness_excursion/thickness_dev_um'])
    const on = firstAt(changes, 'thickness_excursion')!
    expect((on - T0) / 1000 - from).toBeCloseTo(1, 0) // the 1 s on-delay
    const off = changes.find((c) => c.transition.action === 'clear')!.transition
    expect(off.at - on).toBeGreaterThanOrEqual(30_000)
    expect(changes.find((c) => c.transition.action === 'activate')!.alarm.peak).toBeGreaterThan(20)
  })

  it('strip break: the tension spikes after stand 4, then collapses on the whole line', () => {
    const tb = nextRunAt(600) + 20
    const frames = healthyLine(12).filter((f) => secondsOf(f) < tb + 60)
    const stop = (s: number) => Math.max(0, 1 - (5 * (s - tb - 0.4)) / 13) // 5 m/s² from 13 m/s
    for (const f of frames) {
      const s = secondsOf(f)
      if (s < tb) continue
      const v = f.values
      if (s < tb + 0.4) {
        if (f.equipment === 'stand4') v.tension_kN *= 1 + (s - tb) / 0.4
        continue
      }
      for (const k of ['tension_kN', 'entry_tension_kN', 'exit_tension_kN', 'roll_force_kN']) if (k in v) v[k] = 0
      for (const k of ['speed_mps', 'strip_speed_mps']) if (k in v) v[k] = Math.round(v[k] * stop(s) * 1000) / 1000
      for (const k of ['thickness_um', 'thickness_dev_um', 'flatness_IU']) delete v[k]
    }
    const changes = replay(frames)
    expect(annunciated(changes)).toEqual(['exit/strip_break/exit_tension_kN', 'stand4/tension_spike/tension_kN'])
    expect(firstAt(changes, 'tension_spike')).toBeLessThan(firstAt(changes, 'strip_break')!)
    expect(changes.find((c) => c.transition.rule === 'strip_break')!.alarm.priority).toBe('critical')
  })
})
