// The engine's shortcuts on the hot path must not change what an engineer or a worker sees:
// a clear stale-sensor rule only moves its clock on a reading, and an active alarm's value
// and peak are kept in the slot until somebody reads the alarm. Both are checked against the
// slow, obvious forms — the pure evaluateRule for the conditions, lifecycle.observe after
// every reading for value and peak — over random sequences of readings and timer ticks.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AlarmEngine } from './engine.ts'
import { evaluateRule, type RuleState } from './evaluate/rule.ts'
import * as lc from './lifecycle.ts'
import type { Alarm } from './lifecycle.ts'
import { above, makeRule } from './testing/rules.ts'

type Step = { kind: 'reading'; dt: number; value: number | null } | { kind: 'tick'; dt: number }

const steps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('reading' as const), dt: fc.integer({ min: -2000, max: 15_000 }), value: fc.option(fc.double({ min: -10, max: 20, noNaN: true }), { nil: null }) }),
    fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 15_000 }) }),
  ),
  { maxLength: 60 },
)

describe('engine fast paths', () => {
  it('a stale-sensor rule raises and clears exactly when the pure evaluation does', () => {
    fc.assert(
      fc.property(steps, fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), (seq, onDelayMs, offDelayMs) => {
        const rule = makeRule({ kind: 'stale', sensor: 'vibration_mm_s', forMs: 10_000 }, { id: 'silent', equipment: 'stand3', onDelayMs, offDelayMs })
        const engine = new AlarmEngine([rule])
        let state: RuleState | undefined
        let t = 1_000_000
        const got: string[] = []
        const want: string[] = []
        for (const s of seq) {
          t += s.dt
          // another sensor's reading still starts the equipment's clock, as in stepLeaf
          const values: Record<string, number> | undefined = s.kind === 'reading' ? (s.value === null ? { roll_force_kN: 1 } : { vibration_mm_s: s.value }) : undefined
          const changes = values ? engine.onTelemetry('tcm1', 'stand3', t, values) : engine.tick(t)
          for (const c of changes) got.push(`${c.transition.action}@${c.transition.at}`)
          const r = evaluateRule(rule, values ? { ts: t, values } : { now: t }, state)
          state = r.state
          for (const e of r.events) want.push(`${e.type === 'active' ? 'activate' : 'clear'}@${e.ts}`)
        }
        expect(got).toEqual(want)
      }),
      { numRuns: 300 },
    )
  })

  it("an active alarm's value and peak are those of observing every reading", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 12, noNaN: true }), { minLength: 1, maxLength: 80 }), fc.array(fc.nat({ max: 79 }), { maxLength: 10 }), (values, reads) => {
        const rule = makeRule(above(4.5, 0.3, 'vibration_mm_s'), { id: 'zone_c', equipment: 'stand3' })
        const engine = new AlarmEngine([rule])
        let eager: Alarm | undefined
        values.forEach((v, i) => {
          const at = 1000 + i * 100
          const changes = engine.onTelemetry('tcm1', 'stand3', at, { vibration_mm_s: v })
          if (changes.length) eager = changes[changes.length - 1].alarm
          else if (eager) eager = lc.observe(eager, v, 4.5, at)
          // reading the alarm in between must not change what comes after
          if (reads.includes(i) && eager) expect(engine.get(rule.key)).toEqual(eager)
        })
        if (eager) expect(engine.get(rule.key)).toEqual(eager)
        else expect(engine.get(rule.key)?.active).toBe(false)
      }),
      { numRuns: 300 },
    )
  })
})
