import { expect, it } from 'vitest'
import { activeIntervals } from './intervals.ts'

const t = (action: string, at: number) => ({ alarmId: 'a1', key: 'k', action, from: '', to: '', at, line: 'tcm1', equipment: 'stand3', sensor: 'vibration_mm_s', rule: 'vibration_zone_d', priority: 'high' })

it('splits an occurrence into the intervals its condition was active, the last one open while still active', () => {
  // activated, acknowledged, cleared, active again before the ack of the return (same occurrence), still active
  const got = activeIntervals([t('activate', 100), t('ack', 150), t('clear', 300), t('activate', 400), t('shelve', 450), t('clear', 500), t('activate', 700)].reverse())
  expect(got).toMatchObject({ id: 'a1', line: 'tcm1', equipment: 'stand3', priority: 'high', raisedAt: 100 })
  expect(got!.intervals).toEqual([{ from: 100, to: 300 }, { from: 400, to: 500 }, { from: 700 }])
})

it('ends an interval when the rule is retired, and knows nothing of an alarm that never activated', () => {
  expect(activeIntervals([t('activate', 100), t('retire', 200)])!.intervals).toEqual([{ from: 100, to: 200 }])
  expect(activeIntervals([t('ack', 100)])).toBeUndefined()
  expect(activeIntervals([])).toBeUndefined()
})
