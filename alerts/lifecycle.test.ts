// The ISA-18.2 state machine, transition by transition.
import { describe, expect, it } from 'vitest'
import * as lc from './lifecycle.ts'
import type { Alarm, Step } from './lifecycle.ts'

const point = { key: 'tcm1/stand3/vibration_mm_s/vibration_zone_d', line: 'tcm1', equipment: 'stand3', sensor: 'vibration_mm_s', rule: 'vibration_zone_d', priority: 'high', area: 'rolling' } as const
const fresh = () => lc.newAlarm(point, 0)
const on = (a: Alarm, at: number, value = 8) => lc.activate(a, { at, value, limit: 7.1 })
const off = (a: Alarm, at: number, value = 1) => lc.clear(a, { at, value, limit: 7.1 })

/** Applies steps in turn; returns the final alarm and `from→to (action)` of each transition. */
function chain(a: Alarm, ...ops: ((a: Alarm) => Step)[]): { alarm: Alarm; path: string[] } {
  const path: string[] = []
  for (const op of ops) {
    const s = op(a)
    if (s.transition) path.push(`${s.transition.from}→${s.transition.to} (${s.transition.action})`)
    a = s.alarm
  }
  return { alarm: a, path }
}

describe('ISA-18.2 alarm states A–D', () => {
  it.each([
    ['activate, ack, clear: B → C → A', [(a: Alarm) => on(a, 1), (a: Alarm) => lc.ack(a, 'li', 2), (a: Alarm) => off(a, 3)], ['normal→unacknowledged (activate)', 'unacknowledged→acknowledged (ack)', 'acknowledged→normal (clear)'], 'normal'],
    ['activate, clear, ack: B → D → A', [(a: Alarm) => on(a, 1), (a: Alarm) => off(a, 2), (a: Alarm) => lc.ack(a, 'li', 3)], ['normal→unacknowledged (activate)', 'unacknowledged→rtn_unacknowledged (clear)', 'rtn_unacknowledged→normal (ack)'], 'normal'],
    ['ack is idempotent, clear of a normal alarm is nothing', [(a: Alarm) => on(a, 1), (a: Alarm) => lc.ack(a, 'li', 2), (a: Alarm) => lc.ack(a, 'wang', 3), (a: Alarm) => off(a, 4), (a: Alarm) => off(a, 5)], ['normal→unacknowledged (activate)', 'unacknowledged→acknowledged (ack)', 'acknowledged→normal (clear)'], 'normal'],
  ])('%s', (_name, ops, path, final) => {
    const r = chain(fresh(), ...ops)
    expect(r.path).toEqual(path)
    expect(r.alarm.state).toBe(final)
  })

  it('records who acknowledged and when, and exposes the public fields', () => {
    const { alarm } = chain(fresh(), (a) => on(a, 1000, 7.6), (a) => lc.ack(a, 'li.wei', 2000))
    expect(alarm).toMatchObject({ state: 'acknowledged', active: true, acknowledged: true, priority: 'high', raisedAt: 1000, value: 7.6, ackedBy: 'li.wei', ackedAt: 2000 })
    expect(alarm.id).toBe('tcm1.stand3.vibration_mm_s.vibration_zone_d.1000')
  })

  it('a repeat activation updates the open alarm instead of raising a new one', () => {
    const { alarm, path } = chain(fresh(), (a) => on(a, 1000, 7.5), (a) => off(a, 2000), (a) => on(a, 3000, 9.2), (a) => on(a, 3500, 8))
    expect(path).toEqual(['normal→unacknowledged (activate)', 'unacknowledged→rtn_unacknowledged (clear)', 'rtn_unacknowledged→unacknowledged (activate)'])
    expect(alarm).toMatchObject({ id: 'tcm1.stand3.vibration_mm_s.vibration_zone_d.1000', raisedAt: 1000, activeSince: 3000, activations: 2, peak: 9.2, value: 8 })
  })

  it('a new occurrence after normal gets a new id', () => {
    const { alarm } = chain(fresh(), (a) => on(a, 1000), (a) => lc.ack(a, 'li', 1500), (a) => off(a, 2000), (a) => on(a, 5000))
    expect(alarm).toMatchObject({ id: 'tcm1.stand3.vibration_mm_s.vibration_zone_d.5000', raisedAt: 5000, activations: 1, ackedBy: undefined })
  })

  it('tracks the peak on the side the limit was crossed', () => {
    let low = lc.activate(fresh(), { at: 0, value: 2, limit: 3 }).alarm
    for (const v of [1, 2.5, 0.4, 1]) low = lc.observe(low, v, 3, 1)
    expect(low).toMatchObject({ value: 1, peak: 0.4 })
    let high = on(fresh(), 0, 7.5).alarm
    for (const v of [8, 12, 9]) high = lc.observe(high, v, 7.1, 1)
    expect(high).toMatchObject({ value: 9, peak: 12 })
    expect(lc.observe(high, 9, 7.1, 2)).toBe(high)
  })
})

describe('re-alarm', () => {
  it('annunciates an acknowledged alarm again when it stays active past its time', () => {
    const acked = chain(fresh(), (a) => on(a, 0), (a) => lc.ack(a, 'li', 10_000, 60_000)).alarm
    expect(acked.reAlarmAt).toBe(70_000)
    expect(lc.reAlarm(acked, 69_999).transition).toBeUndefined()
    const r = lc.reAlarm(acked, 70_000)
    expect(r.transition).toMatchObject({ from: 'acknowledged', to: 'unacknowledged', action: 'realarm', at: 70_000 })
    expect(r.alarm.reAlarmAt).toBeUndefined()
  })
  it('does not re-alarm a cleared alarm or when no time is configured', () => {
    const cleared = chain(fresh(), (a) => on(a, 0), (a) => lc.ack(a, 'li', 1, 60_000), (a) => off(a, 2)).alarm
    expect(lc.reAlarm(cleared, 1e9).transition).toBeUndefined()
    expect(chain(fresh(), (a) => on(a, 0), (a) => lc.ack(a, 'li', 1)).alarm.reAlarmAt).toBeUndefined()
  })
})

describe('shelving (state E)', () => {
  const shelf = (until: number, at: number) => (a: Alarm) => lc.shelve(a, { until, reason: 'sensor being replaced', by: 'wang', at })

  it('records reason, who and expiry; ack has no effect while shelved', () => {
    const r = chain(fresh(), (a) => on(a, 0), shelf(60_000, 1000), (a) => lc.ack(a, 'li', 2000))
    expect(r.path).toEqual(['normal→unacknowledged (activate)', 'unacknowledged→shelved (shelve)'])
    expect(r.alarm.shelf).toEqual({ until: 60_000, reason: 'sensor being replaced', by: 'wang', at: 1000 })
  })

  it.each([
    // expiry returns the alarm to the state it would have now
    ['still active: annunciated again', [(a: Alarm) => on(a, 0), (a: Alarm) => lc.ack(a, 'li', 500)], 'unacknowledged'],
    ['cleared while shelved: normal', [(a: Alarm) => on(a, 0), shelf(60_000, 1000), (a: Alarm) => off(a, 5000)], 'normal'],
    ['went active while shelved: annunciated', [shelf(60_000, 1000), (a: Alarm) => on(a, 5000)], 'unacknowledged'],
    ['normal all along: normal', [], 'normal'],
  ])('expiry, %s', (_name, before, expected) => {
    let a = chain(fresh(), ...(before as ((a: Alarm) => Step)[])).alarm
    if (!a.shelf) a = lc.shelve(a, { until: 60_000, reason: 'r', by: 'wang', at: 1000 }).alarm
    expect(lc.expireShelf(a, 59_999).transition).toBeUndefined()
    const r = lc.expireShelf(a, 60_000)
    expect(r.transition).toMatchObject({ from: 'shelved', to: expected, action: 'expire', at: 60_000 })
    expect(r.alarm.shelf).toBeUndefined()
  })

  it('unshelve by hand; activity while shelved is still tracked', () => {
    const r = chain(fresh(), shelf(60_000, 0), (a) => on(a, 1000, 9), (a) => lc.unshelve(a, 'wang', 2000))
    expect(r.path).toEqual(['normal→shelved (shelve)', 'shelved→shelved (activate)', 'shelved→unacknowledged (unshelve)'])
    expect(r.alarm).toMatchObject({ active: true, raisedAt: 1000, value: 9 })
  })
})

describe('suppressed by design (F) and out of service (G)', () => {
  it('suppress / unsuppress', () => {
    const r = chain(fresh(), (a) => on(a, 0), (a) => lc.suppress(a, { reason: 'by design: zone D active', at: 1, design: true }), (a) => off(a, 2), (a) => lc.unsuppress(a, 3))
    expect(r.path).toEqual(['normal→unacknowledged (activate)', 'unacknowledged→suppressed (suppress)', 'suppressed→suppressed (clear)', 'suppressed→normal (unsuppress)'])
  })

  it('out of service outranks shelving; returning to service lands back on the shelf', () => {
    const r = chain(
      fresh(),
      (a) => lc.shelve(a, { until: 100_000, reason: 'r', by: 'wang', at: 0 }),
      (a) => lc.removeFromService(a, { reason: 'bearing change', by: 'zhao', at: 10 }),
      (a) => on(a, 20),
      (a) => lc.returnToService(a, 'zhao', 30),
      (a) => lc.unshelve(a, 'wang', 40),
    )
    expect(r.path).toEqual(['normal→shelved (shelve)', 'shelved→out_of_service (remove)', 'out_of_service→out_of_service (activate)', 'out_of_service→shelved (restore)', 'shelved→unacknowledged (unshelve)'])
  })

  it('every transition is a self-contained record', () => {
    const s = lc.removeFromService(on(fresh(), 5).alarm, { reason: 'bearing change', by: 'zhao', at: 10 })
    expect(s.transition).toEqual({
      ...point, alarmId: 'tcm1.stand3.vibration_mm_s.vibration_zone_d.5', action: 'remove', from: 'unacknowledged', to: 'out_of_service', at: 10, by: 'zhao', reason: 'bearing change', value: 8, limit: 7.1,
    })
  })

  it('retire closes whatever was open', () => {
    const s = lc.retire(lc.shelve(on(fresh(), 0).alarm, { until: 9, reason: 'r', by: 'w', at: 1 }).alarm, 5)
    expect(s.transition).toMatchObject({ from: 'shelved', to: 'normal', action: 'retire' })
    expect(lc.retire(fresh(), 5).transition).toBeUndefined()
  })
})
