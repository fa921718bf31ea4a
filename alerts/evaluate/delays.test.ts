// On-delay, off-delay and the purity of the evaluation.
import { describe, expect, it } from 'vitest'
import { evaluateRule } from './rule.ts'
import { above, makeRule, run, series } from '../testing/rules.ts'

describe('on-delay and off-delay (ISA-18.2)', () => {
  it('activates only after the condition held for the on-delay', () => {
    const rule = makeRule(above(10), { onDelayMs: 5000 })
    // true at 0–3 s, false at 4 s, true again from 5 s: active at 10 s
    const { events } = run(rule, series([11, 11, 11, 11, 9, 11, 11, 11, 11, 11, 11]))
    expect(events).toEqual([{ type: 'active', i: 10, ts: 10_000, since: 5000, value: 11, limit: 10 }])
  })

  it('ignores a blip shorter than the on-delay', () => {
    expect(run(makeRule(above(10), { onDelayMs: 3000 }), series([9, 11, 11, 9, 11, 9])).events).toEqual([])
  })

  it('returns to normal only after the off-delay clear', () => {
    const rule = makeRule(above(10), { offDelayMs: 3000 })
    // active at 0; clear 1–2, again true at 3 (stays active), clear from 4: normal at 7
    const { events } = run(rule, series([11, 9, 9, 11, 9, 9, 9, 9]))
    expect(events.map((e) => [e.type, e.i, e.ts, e.since])).toEqual([
      ['active', 0, 0, 0],
      ['normal', 7, 7000, 4000],
    ])
  })

  it('lets the timer finish a pending delay when no reading comes', () => {
    const rule = makeRule(above(10), { onDelayMs: 5000, offDelayMs: 2000 })
    const { events } = run(rule, [{ ts: 0, values: { v: 11 } }, { now: 4000 }, { now: 5000 }, { ts: 5500, values: { v: 1 } }, { now: 7000 }, { now: 7500 }])
    expect(events.map((e) => [e.type, e.i, e.ts])).toEqual([
      ['active', 2, 5000],
      ['normal', 5, 7500],
    ])
  })

  it('never runs time backwards for a late reading', () => {
    const rule = makeRule(above(10), { onDelayMs: 2000 })
    const { events } = run(rule, [{ ts: 10_000, values: { v: 11 } }, { ts: 9000, values: { v: 11 } }, { ts: 11_000, values: { v: 11 } }, { ts: 12_000, values: { v: 11 } }])
    expect(events.map((e) => [e.i, e.ts])).toEqual([[3, 12_000]])
  })
})

describe('evaluateRule is pure', () => {
  it('leaves the state it is given untouched and repeats itself', () => {
    const rule = makeRule({ kind: 'rate', sensor: 'v', direction: 'rise', limit: 1, perMs: 1000, windowMs: 1000, deadband: 0 })
    let state = evaluateRule(rule, { ts: 0, values: { v: 0 } }).state
    state = evaluateRule(rule, { ts: 1000, values: { v: 0.5 } }, state).state
    const before = JSON.stringify(state, (_k, v) => (v instanceof Float64Array ? [...v] : v))
    const a = evaluateRule(rule, { ts: 2000, values: { v: 5 } }, state)
    const b = evaluateRule(rule, { ts: 2000, values: { v: 5 } }, state)
    expect(JSON.stringify(state, (_k, v) => (v instanceof Float64Array ? [...v] : v))).toBe(before)
    expect(a.events).toEqual(b.events)
    expect(a.events).toEqual([{ type: 'active', ts: 2000, since: 2000, value: 4.5, limit: 1 }])
    expect(a.state).not.toBe(state)
  })
})
