import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import type { AlarmChange } from '../engine.ts'
import type { AlarmState, Action } from '../lifecycle.ts'
import type { EscalationConfig } from '../notify/config.ts'
import { change } from '../notify/testing.ts'
import { EscalationTracker, startEscalation, type Escalation } from './escalation.ts'
import { escalationPlan, onCall, onCallToJson } from './oncall.ts'

const { people, plant } = loadConfig({})
const tz = plant.timezone
const Z = (iso: string) => Date.parse(iso)
const MIN = 60_000
const escalation: EscalationConfig = {
  foremanAfterMs: 10 * MIN,
  managerAfterMs: 30 * MIN,
  priorities: { critical: { foremanAfterMs: 2 * MIN, managerAfterMs: 5 * MIN } },
  managers: ['zhang.wei'],
  areas: { exit: { foremanAfterMs: 5 * MIN } },
}
const ids = (list: readonly { id: string }[]) => list.map((p) => p.id)

describe('onCall', () => {
  it.each([
    // instant (UTC)         local                area      operators              foreman
    ['2025-01-06T02:00:00Z', 'day, crew A', 'stands', ['liu.yang'], ['wang.fang']],
    ['2025-01-06T02:00:00Z', 'day, crew A', 'entry', ['zhao.lei'], ['wang.fang']],
    ['2025-01-06T07:59:59.999Z', '15:59:59.999', 'stands', ['liu.yang'], ['wang.fang']],
    ['2025-01-06T08:00:00Z', '16:00 evening, crew B', 'stands', ['zhou.min'], ['sun.hao']],
    ['2025-01-06T16:00:00Z', '00:00 the 7th, night, crew C', 'exit', ['xu.li'], ['wu.qiang']],
    ['2025-01-07T00:00:00Z', '08:00 the 7th, day, crew A', 'stands', ['liu.yang'], ['wang.fang']],
    ['2025-01-08T00:00:00Z', '08:00 the 8th, day, crew D', 'stands', ['ma.tao'], ['he.jun']],
  ])('%s (%s) %s', (iso, _local, area, operator, foreman) => {
    const d = onCall(people, area, Z(iso), { timezone: tz })
    expect(ids(d.operator)).toEqual(operator)
    expect(ids(d.foreman)).toEqual(foreman)
    expect(ids(d.manager).sort()).toEqual(['tom.baker', 'zhang.wei']) // every manager, unless configured
  })

  it('as JSON: ids and names, no phone numbers', () => {
    const j = onCallToJson(onCall(people, 'stands', Z('2025-01-06T02:00:00Z'), { timezone: tz }))
    expect(j.operator).toEqual([{ id: 'liu.yang', name: '刘洋 Liu Yang', crew: 'A', language: 'zh-CN' }])
    expect(JSON.stringify(j)).not.toContain('+86')
  })

  it('takes the maintenance managers from channels.yaml, per area first', () => {
    expect(ids(onCall(people, 'stands', Z('2025-01-06T02:00:00Z'), { timezone: tz, escalation }).manager)).toEqual(['zhang.wei'])
    const perArea = { ...escalation, areas: { stands: { managers: ['tom.baker'] } } }
    expect(ids(onCall(people, 'stands', Z('2025-01-06T02:00:00Z'), { timezone: tz, escalation: perArea }).manager)).toEqual(['tom.baker'])
  })
})

describe('escalationPlan', () => {
  it.each([
    ['high', 'stands', 10, 30],
    ['critical', 'stands', 2, 5], // critical escalates faster
    ['low', 'exit', 5, 30], // the exit area's foreman delay
    ['critical', 'exit', 2, 5], // both set: the faster
  ] as const)('%s in %s: foreman after %i min, manager after %i min', (priority, area, f, m) => {
    expect(escalationPlan({ priority, area }, escalation)).toEqual([
      { level: 'operator', afterMs: 0 },
      { level: 'foreman', afterMs: f * MIN },
      { level: 'manager', afterMs: m * MIN },
    ])
  })
})

function step(c: AlarmChange, action: Action, to: AlarmState, at: number): AlarmChange {
  return { alarm: { ...c.alarm, state: to, updatedAt: at }, transition: { ...c.transition, action, from: c.transition.to, to, at } }
}
const summary = (list: Escalation[]) => list.map((e) => `${e.level}:${ids(e.recipients).join('+')}`)

describe('escalation with a fake clock', () => {
  it('follows the shift change: raised at 15:55 by crew A, escalated at 16:05 to the foreman of crew B', () => {
    const t = new EscalationTracker({ people, timezone: tz, escalation })
    const raised = Z('2025-01-06T07:55:00Z') // 15:55 in Shanghai
    t.observe(change(1, { at: raised, area: 'stands', priority: 'high' }))
    expect(summary(t.due(raised))).toEqual(['operator:liu.yang'])
    expect(t.due(raised + 10 * MIN - 1)).toEqual([])
    const f = t.due(raised + 10 * MIN)
    expect(summary(f)).toEqual(['foreman:sun.hao'])
    expect(f[0]).toMatchObject({ levelIndex: 1, waitedMs: 10 * MIN, shift: { shiftId: 'evening', crew: 'B' } })
    expect(t.due(raised + 29 * MIN)).toEqual([])
    expect(summary(t.due(raised + 30 * MIN))).toEqual(['manager:zhang.wei'])
    expect(t.due(raised + 600 * MIN)).toEqual([]) // each level once
  })

  it('a late tick fires every level that is due, in order', () => {
    const t = new EscalationTracker({ people, timezone: tz, escalation })
    const raised = Z('2025-01-06T02:00:00Z')
    t.observe(change(1, { at: raised, priority: 'critical', area: 'stands' }))
    expect(summary(t.due(raised + 6 * MIN))).toEqual(['operator:liu.yang', 'foreman:wang.fang', 'manager:zhang.wei'])
  })

  it('acknowledging ends it; returning to normal pauses it; a repeat resumes; a re-alarm starts again', () => {
    const t = new EscalationTracker({ people, timezone: tz, escalation })
    const t0 = Z('2025-01-06T02:00:00Z')
    const c = change(1, { at: t0, area: 'stands' })
    t.observe(c)
    t.due(t0)
    t.observe(step(c, 'clear', 'rtn_unacknowledged', t0 + MIN))
    expect(t.due(t0 + 20 * MIN)).toEqual([]) // paused while back to normal
    t.observe(step(c, 'activate', 'unacknowledged', t0 + 21 * MIN))
    expect(summary(t.due(t0 + 21 * MIN))).toEqual(['foreman:wang.fang']) // resumed, operator not told twice
    t.observe(step(c, 'ack', 'acknowledged', t0 + 22 * MIN))
    expect(t.due(t0 + 60 * MIN)).toEqual([])
    expect(t.pending()).toEqual([])
    t.observe(step(c, 'realarm', 'unacknowledged', t0 + 120 * MIN))
    expect(summary(t.due(t0 + 120 * MIN))).toEqual(['operator:liu.yang'])
  })

  it('shelving ends it', () => {
    const t = new EscalationTracker({ people, timezone: tz, escalation })
    const c = change(1, { at: Z('2025-01-06T02:00:00Z') })
    t.observe(c)
    t.observe(step(c, 'shelve', 'shelved', c.transition.at + MIN))
    expect(t.due(c.transition.at + 60 * MIN)).toEqual([])
  })

  it('nobody on duty at a level: the next level at once', () => {
    const t = new EscalationTracker({ people, timezone: tz, escalation })
    const c = change(1, { at: Z('2025-01-06T02:00:00Z'), equipment: 'in-no-area' })
    t.observe({ alarm: { ...c.alarm, area: undefined }, transition: { ...c.transition, area: undefined } })
    expect(summary(t.due(c.transition.at))).toEqual(['foreman:wang.fang'])
  })

  it('finds the area from people.yaml when the alarm does not name it', () => {
    const t = new EscalationTracker({ people, timezone: tz, escalation })
    const c = change(1, { at: Z('2025-01-06T02:00:00Z'), equipment: 'uncoiler' })
    t.observe({ alarm: { ...c.alarm, area: undefined }, transition: { ...c.transition, area: undefined } })
    expect(summary(t.due(c.transition.at))).toEqual(['operator:zhao.lei'])
  })
})

describe('startEscalation (node-cron)', () => {
  it('notifies the operator at once, the foreman on a cron tick once the delay has passed; stop() ends the ticks', async () => {
    let now = Z('2025-01-06T07:55:00Z')
    const got: string[] = []
    const shifts: string[] = []
    const h = startEscalation({
      people, timezone: tz, escalation, now: () => now, schedule: '* * * * * *',
      onEscalate: (e) => got.push(`${e.level}:${ids(e.recipients).join('+')}`),
      onShiftChange: (s, prev) => shifts.push(`${prev.shiftId}/${prev.crew} → ${s.shiftId}/${s.crew}`),
    })
    try {
      h.observe(change(1, { at: now, area: 'stands' }))
      expect(got).toEqual(['operator:liu.yang'])
      now += 10 * MIN
      const until = Date.now() + 3000
      while (got.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
      expect(got).toEqual(['operator:liu.yang', 'foreman:sun.hao'])
      expect(shifts).toEqual(['day/A → evening/B'])
    } finally {
      h.stop()
      h.stop()
    }
    now += 60 * MIN
    await new Promise((r) => setTimeout(r, 1200))
    expect(got).toHaveLength(2)
  })
})
