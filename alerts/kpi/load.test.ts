// Alarm-load figures against a hand-computed hour of transitions.
import { describe, expect, it } from 'vitest'
import type { Priority } from '../rules/types.ts'
import { alarmLoad, type KpiRecord } from './load.ts'
import { floods } from './rate.ts'

const S = 1000
const rec = (equipment: string, rule: string, at: number, priority: Priority = 'low', action: KpiRecord['action'] = 'activate', to: KpiRecord['to'] = 'unacknowledged'): KpiRecord => ({
  key: `tcm1/${equipment}/v/${rule}`, line: 'tcm1', equipment, sensor: 'v', rule, priority, action, to, at,
})

// One hour, six 10-minute intervals:
// - "a" on stand1 chatters: 100, 130, 155 s, and once more at 2000 s (4 annunciations)
// - a flood on the exit: 12 different alarms every 25 s from 1200 s to 1475 s
//   priorities: 1 critical, 1 high, 2 medium, 8 low
// - "s" on stand2 went active 30 h before the period and never cleared (stale);
//   "t" was active 23 h (not stale); "x" went active while shelved (not annunciated)
const floodPriorities: Priority[] = ['critical', 'high', 'medium', 'medium', 'low', 'low', 'low', 'low', 'low', 'low', 'low', 'low']
const records: KpiRecord[] = [
  ...[100, 130, 155, 2000].map((t) => rec('stand1', 'a', t * S)),
  ...floodPriorities.map((p, i) => rec('exit', `f${String(i + 1).padStart(2, '0')}`, (1200 + 25 * i) * S, p)),
  rec('stand2', 's', -30 * 3_600_000),
  rec('stand2', 't', -23 * 3_600_000),
  rec('stand2', 't', 0, 'low', 'clear', 'rtn_unacknowledged'),
  rec('stand1', 'x', 500 * S, 'low', 'activate', 'shelved'),
  rec('stand1', 'a', 101 * S, 'low', 'clear', 'rtn_unacknowledged'),
]

describe('alarmLoad (EEMUA 191 / ISA-18.2)', () => {
  const k = alarmLoad(records, { from: 0, to: 3_600_000, areas: { 'tcm1/stand1': 'rolling', exit: 'exit', stand2: 'rolling' } })

  it('rates per 10 minutes, overall and per area', () => {
    expect(k.overall).toMatchObject({ activations: 16, avgPer10Min: 2.67, maxPer10Min: 12, floodIntervalsPct: 16.67 })
    expect(Object.keys(k.areas)).toEqual(['exit', 'rolling'])
    expect(k.areas.exit).toMatchObject({ activations: 12, avgPer10Min: 2, maxPer10Min: 12 })
    expect(k.areas.rolling).toMatchObject({ activations: 4, avgPer10Min: 0.67, maxPer10Min: 3, floods: [] })
  })

  it('finds the flood: starts at the 11th alarm in 10 minutes, ends below 5', () => {
    // the 11th arrives at 1450 s; the window then loses one alarm every 25 s from 1800 s
    // and holds 4 at 1975 s
    expect(k.overall.floods).toEqual([{ start: 1450 * S, end: 1975 * S, alarms: 12, peakPer10Min: 12 }])
    expect(k.overall.timeInFloodPct).toBe(14.58)
  })

  it('finds chattering, stale alarms and the bad actors', () => {
    expect(k.chattering).toEqual([{ key: 'tcm1/stand1/v/a', line: 'tcm1', equipment: 'stand1', sensor: 'v', rule: 'a', priority: 'low', activations: 4, maxIn60s: 3 }])
    expect(k.stale.map((s) => [s.rule, s.activeMs])).toEqual([['s', 31 * 3_600_000]])
    expect(k.badActors).toHaveLength(10)
    expect(k.badActors[0]).toMatchObject({ rule: 'a', activations: 4, sharePct: 25 })
    expect(k.badActors.slice(1).map((b) => b.rule)).toEqual(['f01', 'f02', 'f03', 'f04', 'f05', 'f06', 'f07', 'f08', 'f09'])
  })

  it('splits priorities against the 5 / 15 / 80 % target', () => {
    expect(k.priority.counts).toEqual({ critical: 1, high: 1, medium: 2, low: 12 })
    expect(k.priority.pct).toEqual({ critical: 6.25, high: 6.25, medium: 12.5, low: 75 })
    expect(k.priority.vsTarget).toEqual({ high: { pct: 12.5, targetPct: 5 }, medium: { pct: 12.5, targetPct: 15 }, low: { pct: 75, targetPct: 80 } })
  })

  it('is all zeros for a quiet period', () => {
    const quiet = alarmLoad([], { from: 0, to: 600_000 })
    expect(quiet.overall).toEqual({ activations: 0, avgPer10Min: 0, maxPer10Min: 0, floodIntervalsPct: 0, floods: [], timeInFloodPct: 0 })
    expect(quiet.priority.vsTarget.low).toEqual({ pct: 0, targetPct: 80 })
  })
})

describe('floods', () => {
  it('a flood still going at the end of the period has no end', () => {
    const times = Array.from({ length: 11 }, (_, i) => i * 10 * S)
    expect(floods(times, 200 * S)).toEqual([{ start: 100 * S, alarms: 11, peakPer10Min: 11 }])
  })
  it('ten alarms in ten minutes are not a flood', () => {
    expect(floods(Array.from({ length: 10 }, (_, i) => i * S), 3_600_000)).toEqual([])
  })
})
