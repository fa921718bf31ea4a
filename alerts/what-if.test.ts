// Replaying a rule over history: the alarms it would have raised, with start, end and peak.
import { describe, expect, it } from 'vitest'
import { above, makeRule } from './testing/rules.ts'
import { mergeSeries, whatIf } from './what-if.ts'

const readings = (values: number[], sensor = 'v') => values.map((v, k) => ({ ts: k * 1000, values: { [sensor]: v } }))

describe('whatIf', () => {
  it('lists the alarms a threshold rule would have raised, with delays and deadband', () => {
    const rule = makeRule(above(10, 1), { onDelayMs: 2000, offDelayMs: 1000 })
    // true from 1 s → active at 3 s; 9.5 holds (deadband), 8 at 5 s → normal at 6 s;
    // true again from 8 s → active at 10 s, still active at the end of the period (20 s)
    const r = whatIf(rule, readings([5, 11, 12, 13, 9.5, 8, 8, 8, 12, 12, 12, 15, 12]), { until: 20_000 })
    expect(r.alarms).toEqual([
      { start: 3000, end: 6000, peak: 13, limit: 10 },
      { start: 10_000, peak: 15, limit: 10 },
    ])
    expect(r.activeMs).toBe(3000 + 10_000)
    expect(r.readings).toBe(13)
  })

  it('runs the timer between readings, so a data gap shows as stale', () => {
    const rule = makeRule({ kind: 'stale', sensor: 'a', forMs: 5000 })
    const r = whatIf(rule, [...readings([1, 1, 1], 'a'), { ts: 20_000, values: { a: 1 } }])
    // last reading at 2 s: stale at 7 s; the last tick before the next reading (19 s) saw 17 s
    expect(r.alarms).toEqual([{ start: 7000, end: 20_000, peak: 17, limit: 5 }])
  })

  it('a changed limit changes the load: the engineer sees it before switching it on', () => {
    const history = readings([4, 4.6, 4.4, 4.7, 4.3, 4.8, 4.2, 4.6, 4.4])
    expect(whatIf(makeRule(above(4.5)), history).alarms).toHaveLength(4)
    expect(whatIf(makeRule(above(4.5, 0.5)), history).alarms).toHaveLength(1)
    expect(whatIf(makeRule(above(5)), history).alarms).toHaveLength(0)
  })

  it('refuses history out of time order', () => {
    expect(() => whatIf(makeRule(above(1)), [{ ts: 2, values: { v: 1 } }, { ts: 1, values: { v: 1 } }])).toThrow(RangeError)
  })
})

describe('mergeSeries', () => {
  it('turns per-sensor series from the store into readings per timestamp', () => {
    expect(
      mergeSeries({
        a: [{ ts: 1, value: 10 }, { ts: 3, value: 30 }],
        b: [{ ts: 1, value: 1 }, { ts: 2, value: 2 }],
      }),
    ).toEqual([
      { ts: 1, values: { a: 10, b: 1 } },
      { ts: 2, values: { b: 2 } },
      { ts: 3, values: { a: 30 } },
    ])
  })
})
