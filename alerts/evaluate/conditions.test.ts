// Table tests for every condition kind, through the pure evaluation (rule, input, state).
import { describe, expect, it } from 'vitest'
import { above, below, makeRule, run, series } from '../testing/rules.ts'
import type { Condition } from '../rules/types.ts'

/** Indices of the inputs at which the alarm went active (+) or returned to normal (−). */
const flips = (condition: Condition, values: number[], over = {}) =>
  run(makeRule(condition, over), series(values)).events.map((e) => `${e.type === 'active' ? '+' : '-'}${e.i}`)

describe('threshold with deadband (ISA-18.2)', () => {
  it.each([
    ['above, no deadband', above(4.5), [4.0, 4.6, 4.4, 4.25, 4.19, 4.6], ['+1', '-2', '+5']],
    ['above, deadband 0.3: clears only below 4.2', above(4.5, 0.3), [4.0, 4.6, 4.4, 4.25, 4.19, 4.6], ['+1', '-4', '+5']],
    ['above, equal to the limit is not above', above(10), [10, 10.01, 10, 9.99], ['+1', '-3']],
    ['below, deadband 5: clears only above 25', below(20, 5), [30, 19, 22, 25, 25.1, 10], ['+1', '-4', '+5']],
    ['outside ±10, deadband 2', { kind: 'outside', sensor: 'v', low: -10, high: 10, deadband: 2 } as const, [0, 11, 9, 7.9, -12, -8.5, -7.9], ['+1', '-3', '+4', '-6']],
  ])('%s', (_name, condition, values, expected) => {
    expect(flips(condition, values)).toEqual(expected)
  })

  it('reports the value and the limit crossed', () => {
    const { events } = run(makeRule({ kind: 'outside', sensor: 'v', low: -10, high: 10, deadband: 0 }), series([0, -14, 0]))
    expect(events[0]).toMatchObject({ type: 'active', ts: 1000, value: -14, limit: -10 })
    expect(events[1]).toMatchObject({ type: 'normal', ts: 2000, value: 0 })
  })
})

describe('rate of change', () => {
  const rate = (direction: 'rise' | 'fall' | 'change', limit: number, perMs: number, windowMs: number, deadband = 0): Condition => ({ kind: 'rate', sensor: 'v', direction, limit, perMs, windowMs, deadband })

  it.each([
    // rate over 2 s at 1 s steps: i=3 → (10−0)/2 = 5, i=4 → 15, i=5 → 20, i=6 → 10 (held), i=7 → 0
    ['rise 10/s over 2 s', rate('rise', 10, 1000, 2000), [0, 0, 0, 10, 30, 50, 50, 50, 50], ['+4', '-7']],
    // …, 60, 70, 70, 70 → rates 15, 10, 5, 0: a deadband of 6 holds the alarm at 5
    ['rise, no deadband', rate('rise', 10, 1000, 2000), [0, 0, 0, 10, 30, 50, 60, 70, 70, 70], ['+4', '-8']],
    ['rise, deadband 6', rate('rise', 10, 1000, 2000, 6), [0, 0, 0, 10, 30, 50, 60, 70, 70, 70], ['+4', '-9']],
    // per minute over 1 s: −0.5/s = −30/min, −1.5/s = −90/min
    ['fall 60/min', rate('fall', 60, 60_000, 1000), [100, 99.5, 98, 96, 96], ['+2', '-4']],
    ['a rise does not trip a fall rule', rate('fall', 60, 60_000, 1000), [100, 101, 103, 106], []],
    ['change either way', rate('change', 5, 1000, 1000), [0, 2, 10, 9, 1, 0], ['+2', '-3', '+4', '-5']],
  ])('%s', (_name, condition, values, expected) => {
    expect(flips(condition, values)).toEqual(expected)
  })

  it('gives no verdict until a whole window of data exists', () => {
    expect(flips(rate('change', 1, 1000, 5000), [0, 100, 0, 100])).toEqual([])
  })

  it('reports a fall as a negative rate against a negative limit', () => {
    const { events } = run(makeRule(rate('fall', 60, 60_000, 1000)), series([100, 98]))
    expect(events[0]).toMatchObject({ value: -120, limit: -60 })
  })
})

describe('stuck sensor', () => {
  const stuck = (forMs: number, epsilon: number): Condition => ({ kind: 'stuck', sensor: 'v', forMs, epsilon })
  it.each([
    ['exact repeats for 3 s', stuck(3000, 0), [5, 5, 5, 5, 5, 5.01], ['+3', '-5']],
    // ε = 0.1: 5.12 moves the reference (t = 3), then 3 s within ε of 5.12, then 5.3 breaks it
    ['wiggles within ε count as stuck', stuck(3000, 0.1), [5, 5.05, 4.95, 5.12, 5.12, 5.15, 5.1, 5.3], ['+6', '-7']],
    ['a live signal never is', stuck(3000, 0), [5, 5.1, 5, 5.1, 5, 5.1, 5], []],
  ])('%s', (_name, condition, values, expected) => {
    expect(flips(condition, values)).toEqual(expected)
  })
})

describe('stale sensor', () => {
  const rule = makeRule({ kind: 'stale', sensor: 'a', forMs: 5000 })
  it('is judged by the timer when nothing arrives', () => {
    const { events } = run(rule, [{ ts: 0, values: { a: 1, b: 1 } }, { ts: 1000, values: { b: 1 } }, { now: 4999 }, { now: 5000 }, { ts: 6000, values: { a: 2 } }])
    expect(events.map((e) => [e.type, e.i, e.ts])).toEqual([
      ['active', 3, 5000],
      ['normal', 4, 6000],
    ])
    expect(events[0]).toMatchObject({ value: 5, limit: 5 })
  })
  it('is judged on the equipment’s other readings too', () => {
    expect(run(rule, [{ ts: 0, values: { a: 1 } }, { ts: 5000, values: { b: 1 } }]).events.map((e) => e.i)).toEqual([1])
  })
  it('raises nothing for equipment never heard from since start', () => {
    expect(run(rule, [{ now: 10_000 }, { now: 60_000 }]).events).toEqual([])
  })
  it('starts the clock at the equipment’s first message when the sensor never came', () => {
    expect(run(rule, [{ ts: 1000, values: { b: 1 } }, { now: 5999 }, { now: 6000 }]).events.map((e) => e.i)).toEqual([2])
  })
})

describe('statistical deviation (EWMA z-score)', () => {
  const dev = (over: Partial<Extract<Condition, { kind: 'deviation' }>> = {}): Condition => ({
    kind: 'deviation', sensor: 'v', z: 4, side: 'both', halfLifeMs: 30_000, warmupMs: 10_000, minSigma: 0, deadband: 0, ...over,
  })
  const noisy = (n: number, level = 10) => Array.from({ length: n }, (_, k) => level + (k % 2 ? 1 : -1))

  it('flags a jump far outside the recent spread, after the warm-up', () => {
    expect(flips(dev(), [...noisy(30), 20, 10])).toEqual(['+30', '-31'])
  })
  it('says nothing during the warm-up', () => {
    expect(flips(dev(), [10, 11, 9, 40, 10, 11])).toEqual([])
  })
  it('honours the side', () => {
    expect(flips(dev({ side: 'high' }), [...noisy(30), 0, 10])).toEqual([])
    expect(flips(dev({ side: 'low' }), [...noisy(30), 0, 10])).toEqual(['+30', '-31'])
  })
  it('uses minSigma as a floor for a quiet signal', () => {
    const flat = Array<number>(30).fill(10)
    expect(flips(dev(), [...flat, 10.5])).toEqual(['+30'])
    expect(flips(dev({ minSigma: 1 }), [...flat, 10.5])).toEqual([])
  })
  it('catches a slow drift (bearing wear) instead of widening its own band', () => {
    const base = noisy(600, 50).map((v) => 50 + (v - 50) * 0.5)
    const ramp = Array.from({ length: 600 }, (_, k) => 50 + 0.05 * k + (k % 2 ? 0.5 : -0.5))
    const cond = dev({ z: 5, halfLifeMs: 300_000, warmupMs: 300_000, minSigma: 0.2 })
    const events = run(makeRule(cond), series([...base, ...ramp])).events
    expect(events[0]?.type).toBe('active')
    expect(events[0].i).toBeGreaterThan(600)
    expect(events[0].i).toBeLessThan(900) // within 5 minutes of a 3 °C/min climb
  })
})

describe('AND / OR across sensors', () => {
  const all: Condition = { kind: 'all', of: [above(10, 0, 'a'), below(5, 0, 'b')] }
  const any: Condition = { kind: 'any', of: [above(10, 0, 'a'), below(5, 0, 'b')] }
  const inputs = (rows: Record<string, number>[]) => rows.map((values, k) => ({ ts: k * 1000, values }))
  const at = (c: Condition, rows: Record<string, number>[]) => run(makeRule(c), inputs(rows)).events.map((e) => `${e.type === 'active' ? '+' : '-'}${e.i}`)

  it.each<[string, Condition, Record<string, number>[], string[]]>([
    ['all', all, [{ a: 11, b: 6 }, { a: 11, b: 4 }, { a: 9, b: 4 }], ['+1', '-2']],
    ['any', any, [{ a: 11, b: 6 }, { a: 9, b: 6 }, { a: 9, b: 4 }], ['+0', '-1', '+2']],
    // a 1 Hz sensor keeps its verdict between its readings
    ['all, sensors in different messages', all, [{ a: 11 }, { b: 4 }, { b: 4 }, { a: 9 }], ['+1', '-3']],
  ])('%s', (_name, c, rows, expected) => {
    expect(at(c, rows)).toEqual(expected)
  })

  it('does not let a silent sensor complete an AND', () => {
    const cond: Condition = { kind: 'all', of: [below(3, 0, 'tension'), above(2, 0, 'speed')] }
    const silent = [{ tension: 0, speed: 0 }, ...Array.from({ length: 7 }, () => ({ speed: 0 })), { speed: 5 }]
    expect(at(cond, silent)).toEqual([])
    expect(at(cond, [{ tension: 0, speed: 0 }, { speed: 0 }, { speed: 5 }])).toEqual(['+2'])
  })
})
