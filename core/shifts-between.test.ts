import { describe, expect, it } from 'vitest'
import { shiftAt, shiftsBetween } from './shifts.ts'

// The default roster of config/people.yaml, as literals (tests pass literals).
const roster = {
  shifts: [{ id: 'day', start: '08:00' }, { id: 'evening', start: '16:00' }, { id: 'night', start: '00:00' }],
  rotation: { epoch: '2025-01-06', cycle: ['day', 'day', 'evening', 'evening', 'night', 'night', 'off', 'off'], crews: { A: 0, B: 2, C: 4, D: 6 } },
}
const SH = 'Asia/Shanghai'
const H = 3_600_000

describe('shiftAt at the boundaries (Asia/Shanghai, UTC+8)', () => {
  it.each([
    // instant (UTC)              shift      crew  date (local)
    ['2025-01-06T15:59:59.999Z', 'evening', 'B', '2025-01-06'], // 23:59:59.999 local
    ['2025-01-06T16:00:00.000Z', 'night', 'C', '2025-01-07'], // midnight: the 7th's night shift
    ['2025-01-06T23:59:59.999Z', 'night', 'C', '2025-01-07'], // 07:59:59.999
    ['2025-01-07T00:00:00.000Z', 'day', 'A', '2025-01-07'], // 08:00 sharp: day shift
    ['2025-01-07T08:00:00.000Z', 'evening', 'B', '2025-01-07'],
    ['2025-01-07T16:00:00.000Z', 'night', 'B', '2025-01-08'], // day 2: B at cycle[4] = night
    ['2025-01-05T18:00:00.000Z', 'night', 'C', '2025-01-06'], // 02:00 on the epoch day: C at cycle[4]
  ])('%s → %s', (iso, shiftId, crew, date) => {
    const s = shiftAt(Date.parse(iso), roster, SH)
    expect(s.shiftId).toBe(shiftId)
    expect(s.date).toBe(date)
    expect(s.crew).toBe(crew)
  })
})

describe('shiftsBetween', () => {
  it('lists the shifts across midnight, each ending where the next starts', () => {
    const from = Date.parse('2025-01-06T06:00:00Z') // 14:00 local, day shift
    const to = Date.parse('2025-01-07T02:00:00Z') // 10:00 local next day
    const list = shiftsBetween(from, to, roster, SH)
    expect(list.map((s) => `${s.date} ${s.shiftId} ${s.crew}`)).toEqual(['2025-01-06 day A', '2025-01-06 evening B', '2025-01-07 night C', '2025-01-07 day A'])
    for (let i = 1; i < list.length; i++) expect(list[i].start).toBe(list[i - 1].end)
    expect(list.every((s) => s.end - s.start === 8 * H)).toBe(true)
  })

  it('is empty for an empty range and one shift inside a shift', () => {
    const t = Date.parse('2025-01-06T02:00:00Z')
    expect(shiftsBetween(t, t, roster, SH)).toEqual([])
    expect(shiftsBetween(t, t + H, roster, SH)).toHaveLength(1)
  })
})

describe('zones with daylight saving', () => {
  // 22:00 / 06:00 / 14:00 shifts: the night shift belongs to the day it starts on.
  const eu = { shifts: [{ id: 'early', start: '06:00' }, { id: 'late', start: '14:00' }, { id: 'night', start: '22:00' }], rotation: { epoch: '2025-01-06', cycle: ['early', 'late', 'night'], crews: { A: 0, B: 1, C: 2 } } }

  it('Europe/Berlin spring forward (2025-03-30 02:00 → 03:00): the night shift lasts 7 h', () => {
    const s = shiftAt(Date.parse('2025-03-30T00:30:00Z'), eu, 'Europe/Berlin') // 01:30 CET
    expect(s).toMatchObject({ shiftId: 'night', date: '2025-03-29' })
    expect(s.start).toBe(Date.parse('2025-03-29T21:00:00Z')) // 22:00 CET
    expect(s.end).toBe(Date.parse('2025-03-30T04:00:00Z')) // 06:00 CEST
    expect(s.end - s.start).toBe(7 * H)
    const after = shiftAt(Date.parse('2025-03-30T05:00:00Z'), eu, 'Europe/Berlin') // 07:00 CEST
    expect(after).toMatchObject({ shiftId: 'early', date: '2025-03-30', start: Date.parse('2025-03-30T04:00:00Z') })
  })

  it('Europe/Berlin fall back (2025-10-26 03:00 → 02:00): the night shift lasts 9 h', () => {
    const s = shiftAt(Date.parse('2025-10-26T01:30:00Z'), eu, 'Europe/Berlin')
    expect(s).toMatchObject({ shiftId: 'night', date: '2025-10-25', start: Date.parse('2025-10-25T20:00:00Z'), end: Date.parse('2025-10-26T05:00:00Z') })
  })

  it('America/New_York: a day of shifts over the spring change has 23 hours', () => {
    const list = shiftsBetween(Date.parse('2025-03-09T05:00:00Z'), Date.parse('2025-03-10T04:00:00Z'), eu, 'America/New_York')
    const first = list[0]
    const last = list[list.length - 1]
    expect(first).toMatchObject({ shiftId: 'night', date: '2025-03-08' })
    expect(list.slice(1, 4).map((s) => s.shiftId)).toEqual(['early', 'late', 'night'])
    expect(list[3].start - list[1].start).toBe(16 * H)
    expect(list[1].start).toBe(Date.parse('2025-03-09T10:00:00Z')) // 06:00 EDT
    expect(last.end).toBeGreaterThan(last.start)
  })
})
