// The engine: dispatch by (line, equipment), one alarm per point, commands, timers,
// designed suppression and hot reload.
import { describe, expect, it } from 'vitest'
import { MillwatchError } from '../core/errors.ts'
import { AlarmEngine } from './engine.ts'
import { above, makeRule, summary } from './testing/rules.ts'

const zoneC = makeRule(above(4.5, 0.3, 'vibration_mm_s'), { id: 'zone_c', equipment: 'stand3', priority: 'medium', suppressedBy: ['zone_d'] })
const zoneD = makeRule(above(7.1, 0.3, 'vibration_mm_s'), { id: 'zone_d', equipment: 'stand3', priority: 'high', reAlarmMs: 60_000 })
const vib = (v: number) => ({ vibration_mm_s: v })

describe('AlarmEngine', () => {
  it('evaluates only the rules of the message’s equipment and allocates nothing when nothing changes', () => {
    const e = new AlarmEngine([zoneC, zoneD])
    const a = e.onTelemetry('tcm1', 'stand3', 1000, vib(1))
    const b = e.onTelemetry('tcm1', 'stand2', 1100, vib(99))
    const c = e.onTelemetry('tcm2', 'stand3', 1200, vib(99))
    expect(a).toHaveLength(0)
    expect(b).toBe(a)
    expect(c).toBe(a)
    expect(summary(e.onTelemetry('tcm1', 'stand3', 1300, vib(5)))).toEqual(['stand3/zone_c/activate'])
  })

  it('keeps one alarm per point: a repeat updates it', () => {
    const e = new AlarmEngine([zoneC])
    e.onTelemetry('tcm1', 'stand3', 1000, vib(5))
    e.onTelemetry('tcm1', 'stand3', 2000, vib(6.5))
    e.onTelemetry('tcm1', 'stand3', 3000, vib(1))
    e.onTelemetry('tcm1', 'stand3', 4000, vib(5.5))
    const list = e.alarms()
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ id: 'tcm1.stand3.vibration_mm_s.zone_c.1000', state: 'unacknowledged', activations: 2, peak: 6.5, value: 5.5, raisedAt: 1000 })
  })

  it('acknowledges by occurrence id or by key, and refuses unknown ones', () => {
    const e = new AlarmEngine([zoneC])
    e.onTelemetry('tcm1', 'stand3', 1000, vib(5))
    const [change] = e.ack('tcm1.stand3.vibration_mm_s.zone_c.1000', { by: 'li', at: 2000 })
    expect(change.transition).toMatchObject({ action: 'ack', by: 'li', to: 'acknowledged' })
    expect(e.ack(zoneC.key, { by: 'li', at: 2500 })).toHaveLength(0)
    expect(() => e.ack('nope', { by: 'li', at: 1 })).toThrow(MillwatchError)
    try {
      e.ack('nope', { by: 'li', at: 1 })
    } catch (err) {
      expect((err as MillwatchError).statusCode).toBe(404)
    }
    expect(() => e.ack(zoneC.key, { by: ' ', at: 1 })).toThrow(/by is required/)
  })

  it('shelves with an expiry the timer enforces', () => {
    const e = new AlarmEngine([zoneC])
    e.onTelemetry('tcm1', 'stand3', 1000, vib(5))
    expect(() => e.shelve(zoneC.key, { until: 1000, reason: 'x', by: 'li', at: 2000 })).toThrow(/later than now/)
    expect(() => e.shelve(zoneC.key, { until: 2000 + 25 * 3_600_000, reason: 'x', by: 'li', at: 2000 })).toThrow(/limited to 24 h/)
    expect(summary(e.shelve(zoneC.key, { until: 62_000, reason: 'probe loose', by: 'li', at: 2000 }))).toEqual(['stand3/zone_c/shelve'])
    expect(e.tick(61_999)).toHaveLength(0)
    const [expired] = e.tick(62_000)
    expect(expired.transition).toMatchObject({ action: 'expire', from: 'shelved', to: 'unacknowledged' })
  })

  it('re-alarms an acknowledged alarm still active after its time', () => {
    const e = new AlarmEngine([zoneD])
    e.onTelemetry('tcm1', 'stand3', 1000, vib(8))
    e.ack(zoneD.key, { by: 'li', at: 5000 })
    expect(e.tick(64_999)).toHaveLength(0)
    expect(e.tick(65_000).map((c) => c.transition.action)).toEqual(['realarm'])
    expect(e.get(zoneD.key)?.state).toBe('unacknowledged')
  })

  it('suppresses zone C by design while zone D is active (ISA-18.2 state F)', () => {
    const e = new AlarmEngine([zoneC, zoneD])
    expect(summary(e.onTelemetry('tcm1', 'stand3', 1000, vib(5)))).toEqual(['stand3/zone_c/activate'])
    expect(summary(e.onTelemetry('tcm1', 'stand3', 2000, vib(8)))).toEqual(['stand3/zone_d/activate', 'stand3/zone_c/suppress'])
    expect(e.get(zoneC.key)?.suppression).toMatchObject({ design: true, reason: 'by design: zone_d active' })
    // back to zone C: D clears, C is annunciated again
    expect(summary(e.onTelemetry('tcm1', 'stand3', 3000, vib(5)))).toEqual(['stand3/zone_d/clear', 'stand3/zone_c/unsuppress'])
    expect(e.get(zoneC.key)?.state).toBe('unacknowledged')
    // straight from D to healthy: C goes suppressed → normal, never annunciated in between
    e.onTelemetry('tcm1', 'stand3', 4000, vib(8))
    const changes = e.onTelemetry('tcm1', 'stand3', 5000, vib(1))
    expect(changes.map((c) => `${c.transition.rule}:${c.transition.from}→${c.transition.to}`)).toEqual(['zone_d:unacknowledged→rtn_unacknowledged', 'zone_c:suppressed→suppressed', 'zone_c:suppressed→normal'])
  })

  it('a rule activating while its suppressor is active is never annunciated', () => {
    const e = new AlarmEngine([zoneC, zoneD])
    const changes = e.onTelemetry('tcm1', 'stand3', 1000, vib(9))
    expect(changes.map((c) => `${c.transition.rule}:${c.transition.action}:${c.transition.to}`)).toEqual(['zone_d:activate:unacknowledged', 'zone_c:suppress:suppressed', 'zone_c:activate:suppressed'])
  })

  it('judges stale sensors on the timer', () => {
    const stale = makeRule({ kind: 'stale', sensor: 'vibration_mm_s', forMs: 10_000 }, { id: 'stale', equipment: 'stand3' })
    const e = new AlarmEngine([stale])
    e.onTelemetry('tcm1', 'stand3', 0, vib(1))
    expect(e.tick(9000)).toHaveLength(0)
    expect(summary(e.tick(10_000))).toEqual(['stand3/stale/activate'])
    expect(e.get(stale.key)).toMatchObject({ value: 10, limit: 10 })
  })

  it('filters alarms for the API', () => {
    const e = new AlarmEngine([zoneC, zoneD])
    e.onTelemetry('tcm1', 'stand3', 1000, vib(5))
    e.onTelemetry('tcm1', 'stand3', 2000, vib(1))
    expect(e.alarms().map((a) => a.rule)).toEqual(['zone_c'])
    expect(e.alarms({ active: true })).toHaveLength(0)
    expect(e.alarms({ all: true })).toHaveLength(2)
    expect(e.ruleOf(zoneC.key)?.description).toBe('test rule')
  })
})

describe('AlarmEngine.replace (hot reload)', () => {
  it('keeps the state of unchanged rules: a pending on-delay carries on', () => {
    const slow = makeRule(above(10), { id: 'slow', onDelayMs: 5000 })
    const e = new AlarmEngine([slow])
    e.onTelemetry('tcm1', 'stand1', 0, { v: 11 })
    e.replace([makeRule(above(10), { id: 'slow', onDelayMs: 5000, description: 'reworded' })], 1000)
    expect(summary(e.onTelemetry('tcm1', 'stand1', 5000, { v: 11 }))).toEqual(['stand1/slow/activate'])
  })

  it('re-evaluates a changed rule: an active alarm clears under a higher limit', () => {
    const e = new AlarmEngine([makeRule(above(10), { id: 'lim' })])
    e.onTelemetry('tcm1', 'stand1', 0, { v: 12 })
    e.replace([makeRule(above(15), { id: 'lim', priority: 'low' })], 1000)
    expect(e.get('tcm1/stand1/v/lim')).toMatchObject({ active: true, priority: 'low' })
    expect(summary(e.onTelemetry('tcm1', 'stand1', 2000, { v: 12 }))).toEqual(['stand1/lim/clear'])
  })

  it('retires the alarms of removed rules', () => {
    const e = new AlarmEngine([zoneC, zoneD])
    e.onTelemetry('tcm1', 'stand3', 1000, vib(5))
    const changes = e.replace([zoneD], 2000)
    expect(changes.map((c) => [c.transition.rule, c.transition.action, c.transition.to])).toEqual([['zone_c', 'retire', 'normal']])
    expect(e.rules()).toEqual([zoneD])
    expect(e.onTelemetry('tcm1', 'stand3', 3000, vib(6))).toHaveLength(0)
  })

  it('restores stored alarms after a restart without raising them again', () => {
    const first = new AlarmEngine([zoneC])
    first.onTelemetry('tcm1', 'stand3', 1000, vib(5))
    first.ack(zoneC.key, { by: 'li', at: 1500 })
    const second = new AlarmEngine([zoneC])
    second.restore(first.alarms())
    expect(second.onTelemetry('tcm1', 'stand3', 2000, vib(5))).toHaveLength(0)
    expect(summary(second.onTelemetry('tcm1', 'stand3', 3000, vib(1)))).toEqual(['stand3/zone_c/clear'])
    expect(second.get('tcm1.stand3.vibration_mm_s.zone_c.1000')?.state).toBe('normal')
  })
})
