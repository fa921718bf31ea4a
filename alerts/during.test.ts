import { expect, it } from 'vitest'
import { activeDuring } from './during.ts'

const t = (alarmId: string, action: string, at: number, over: Record<string, unknown> = {}) => ({
  alarmId, key: `k-${alarmId}`, action, from: 'normal', to: 'unacknowledged', at, line: 'tcm1', equipment: 'stand3', sensor: 'vibration_mm_s', rule: 'vibration_zone_d', priority: 'high', ...over,
})

it('lists the occurrences that overlap a window, cleared or still active', () => {
  const transitions = [
    t('before', 'activate', 100), t('before', 'clear', 900), // ends before the window
    t('overlaps-start', 'activate', 500), t('overlaps-start', 'ack', 1100), t('overlaps-start', 'clear', 1500, { value: 7.5 }),
    t('inside', 'activate', 1200, { value: 8.1 }), t('inside', 'clear', 1800),
    t('still', 'activate', 1900),
    t('after', 'activate', 2100),
    t('other-line', 'activate', 1200, { line: 'tcm2' }),
  ]
  const got = activeDuring(transitions, 'tcm1', 1000, 2000)
  expect(got.map((a) => [a.id, a.raisedAt, a.clearedAt])).toEqual([
    ['overlaps-start', 500, 1500],
    ['inside', 1200, 1800],
    ['still', 1900, undefined],
  ])
  expect(got[1]).toMatchObject({ equipment: 'stand3', priority: 'high', value: 8.1 })
})
