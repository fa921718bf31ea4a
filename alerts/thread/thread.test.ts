// The rules thread must raise exactly what the engine raises on its own: the same alarms,
// transitions, values and peaks, in the same order — across faults, silence and a reload.
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { AlarmEngine, CHANGE, END, RECORD, type AlarmChange } from '../engine.ts'
import type { Rule } from '../rules/types.ts'
import { defaultPlant, defaultRules, summary } from '../testing/rules.ts'
import { healthyLine, phaseAt, secondsOf, T0, type Frame } from '../testing/synthetic.ts'
import { RulesThread } from './index.ts'

const plant = defaultPlant()
const rules = defaultRules(plant)
const log = pino({ level: 'silent' })

/** 40 minutes of tcm1 with bearing wear on stand 3, a frozen temperature on stand 2 and the exit gone quiet for 2 minutes. */
function faultyLine(): Frame[] {
  const frames = healthyLine(40, 3).filter((f) => !(f.equipment === 'exit' && secondsOf(f) >= 30 * 60 && secondsOf(f) < 32 * 60))
  let frozen: number | undefined
  for (const f of frames) {
    const s = secondsOf(f)
    if (f.equipment === 'stand3' && s >= 22 * 60 && phaseAt(s).speed > 0) f.values.vibration_mm_s = 2 + 6 * Math.min(1, (s - 22 * 60) / 360)
    if (f.equipment === 'stand2' && s >= 10 * 60 && s < 20 * 60 && f.values.bearing_temp_C !== undefined) f.values.bearing_temp_C = frozen ??= f.values.bearing_temp_C
  }
  return frames
}

/** The stand rules with vibration zone C moved: a reload halfway. */
const reloaded: readonly Rule[] = rules.map((r) =>
  r.id === 'vibration_zone_c' && r.condition.kind === 'above' ? { ...r, condition: { ...r.condition, limit: r.condition.limit + 0.5 } } : r,
)
const RELOAD_AT = T0 + 10.5 * 60_000

type Step = (engine: AlarmEngine, f: Frame) => void

/** Frames in order with a tick every second and the reload, as the alerts shell runs them. */
function feed(engine: AlarmEngine, frames: readonly Frame[], reading: Step, tick: (at: number) => void, reload: (at: number) => void): void {
  let nextTick = frames[0].ts + 1000
  let reloadDone = false
  for (const f of frames) {
    while (f.ts >= nextTick) {
      tick(nextTick)
      nextTick += 1000
    }
    if (!reloadDone && f.ts >= RELOAD_AT) {
      reloadDone = true
      reload(f.ts)
    }
    reading(engine, f)
  }
}

function inline(frames: readonly Frame[]): AlarmChange[] {
  const engine = new AlarmEngine(rules, {}, T0)
  const out: AlarmChange[] = []
  feed(
    engine,
    frames,
    (e, f) => out.push(...e.onTelemetry('tcm1', f.equipment, f.ts, f.values)),
    (at) => out.push(...engine.tick(at)),
    (at) => out.push(...engine.replace(reloaded, at)),
  )
  return out
}

/** An engine fed by a rules thread loaded with its rules: `run` drives them; returns every change applied. */
async function withThread(run: (thread: RulesThread, engine: AlarmEngine, out: AlarmChange[]) => void | Promise<void>): Promise<AlarmChange[]> {
  const engine = new AlarmEngine(rules, {}, T0)
  const out: AlarmChange[] = []
  const thread = new RulesThread({ plant, log, apply: (keys, records) => out.push(...engine.applyConditions(keys, records)), seeds: () => [] })
  try {
    thread.load(engine.rules(), T0)
    await run(thread, engine, out)
    await thread.settled()
  } finally {
    await thread.close()
  }
  return out
}

const threaded = (frames: readonly Frame[]) =>
  withThread((thread, engine, out) =>
    feed(
      engine,
      frames,
      (_e, f) => thread.reading('tcm1', f.equipment, f.ts, f.values),
      (at) => {
        thread.tick(at)
        out.push(...engine.tick(at, false))
      },
      (at) => {
        out.push(...engine.replace(reloaded, at))
        thread.load(engine.rules(), at)
      },
    ),
  )

describe('the rules thread', () => {
  it('raises the same alarms, values and peaks as the engine on its own thread', async () => {
    const frames = faultyLine()
    const expected = inline(structuredClone(frames))
    // The scenario must exercise what it claims: zone C and D, the frozen probe, the silent exit.
    const raised = summary(expected).filter((s) => s.endsWith('/activate'))
    expect(raised).toEqual(expect.arrayContaining(['stand3/vibration_zone_c/activate', 'stand3/vibration_zone_d/activate', 'stand2/sensor_stuck/activate', 'exit/equipment_silent/activate']))
    const got = await threaded(structuredClone(frames))
    expect(summary(got)).toEqual(summary(expected))
    expect(got).toEqual(expected)
  }, 60_000)

  it('evaluates a death certificate after the readings sent before it', async () => {
    const out = await withThread((thread) => {
      const frames = healthyLine(2, 1).filter((f) => f.equipment === 'exit')
      for (const f of frames) thread.reading('tcm1', f.equipment, f.ts, f.values)
      const last = frames.at(-1)!.ts
      thread.stale('tcm1', 'exit', last + 10)
      thread.tick(last + 1000)
    })
    expect(summary(out)).toContain('exit/equipment_silent/activate')
  }, 30_000)

  it('answers everybody who waits on a batch once its report is applied (a tap waits for every message)', async () => {
    await withThread(async (thread, _engine, out) => {
      // 7 s of a bearing in zone D: the 5 s on-delay runs out on a reading.
      const waits = Array.from({ length: 70 }, (_, i) => {
        thread.reading('tcm1', 'stand3', T0 + i * 100, { vibration_mm_s: 9, bearing_temp_C: 60, speed_mps: 10, motor_current_A: 900 })
        return thread.settled().then(() => summary(out).includes('stand3/vibration_zone_d/activate'))
      })
      const seen = await Promise.all(waits)
      expect(seen.at(-1)).toBe(true) // the last reading's wait ends after the activation was applied
      expect(await thread.settled().then(() => true)).toBe(true) // nothing waiting: answered too
    })
  }, 30_000)

  it('sends a change back before it evaluates the rest of its batch', async () => {
    const engine = new AlarmEngine(rules, {}, T0)
    const reports: Array<{ kinds: number[] }> = []
    const out: AlarmChange[] = []
    const thread = new RulesThread({
      plant,
      log,
      apply: (keys, records) => {
        reports.push({ kinds: Array.from({ length: records.length / RECORD }, (_, i) => records[i * RECORD]) })
        out.push(...engine.applyConditions(keys, records))
      },
      seeds: () => [],
    })
    try {
      thread.load(engine.rules(), T0)
      // One batch (sent in one turn): zone D for 60 s at 10 Hz; its 5 s on-delay runs out at
      // the 51st reading, and every reading after it reports the active alarm's value.
      for (let i = 0; i < 600; i++) thread.reading('tcm1', 'stand3', T0 + i * 100, { vibration_mm_s: 9, bearing_temp_C: 60, speed_mps: 10, motor_current_A: 900 })
      await thread.settled()
    } finally {
      await thread.close()
    }
    const withChange = reports.findIndex((r) => r.kinds.includes(CHANGE))
    expect(withChange).toBeGreaterThanOrEqual(0)
    expect(reports[withChange].kinds.at(-1)).toBe(END) // nothing evaluated after the change rode with it
    expect(reports.slice(withChange + 1).reduce((n, r) => n + r.kinds.length, 0)).toBeGreaterThan(500) // the rest of the batch came after
    expect(summary(out)).toContain('stand3/vibration_zone_d/activate')
  }, 30_000)
})
