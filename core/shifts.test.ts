import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { shiftAt } from './shifts.ts'

const { people, plant } = loadConfig({})
const at = (iso: string) => shiftAt(Date.parse(iso), people.file, plant.timezone)

describe('shiftAt (four crews, three shifts, Asia/Shanghai)', () => {
  it('names the shift and crew on the rotation epoch', () => {
    // 2025-01-06 10:00 in Shanghai is 02:00Z: day shift, crew A works cycle[0] = day.
    expect(at('2025-01-06T02:00:00Z')).toEqual({
      shiftId: 'day', crew: 'A', date: '2025-01-06',
      start: Date.parse('2025-01-06T00:00:00Z'), end: Date.parse('2025-01-06T08:00:00Z'),
    })
    // 17:00 local: evening shift; crew B works cycle[0 + 2] = evening
    expect(at('2025-01-06T09:00:00Z')).toMatchObject({ shiftId: 'evening', crew: 'B' })
    // 00:30 local on the 7th is the night shift of the 7th: day 1, crew C (1+4 = 5 → night)
    expect(at('2025-01-06T16:30:00Z')).toMatchObject({ shiftId: 'night', crew: 'C', date: '2025-01-07' })
  })

  it('gives every shift of a cycle exactly one crew, each crew working six shifts', () => {
    const count: Record<string, number> = {}
    const t0 = Date.parse('2026-03-01T00:00:00Z')
    for (let h = 0; h < 8 * 24; h += 8) {
      const s = shiftAt(t0 + h * 3_600_000 + 60_000, people.file, plant.timezone)
      expect(s.crew).toBeDefined()
      count[s.crew!] = (count[s.crew!] ?? 0) + 1
      expect(s.end - s.start).toBe(8 * 3_600_000)
    }
    expect(Object.values(count)).toEqual([6, 6, 6, 6])
  })

  it('handles times before the first shift start of the day and dates before the epoch', () => {
    const file = { shifts: [{ id: 'a', start: '06:00' }, { id: 'b', start: '18:00' }], rotation: { epoch: '2025-01-10', cycle: ['a', 'b'], crews: { X: 0, Y: 1 } } }
    // 03:00 UTC on the 1st: still shift b that started at 18:00 the day before
    const s = shiftAt(Date.parse('2025-01-01T03:00:00Z'), file, 'UTC')
    expect(s).toMatchObject({ shiftId: 'b', date: '2024-12-31', start: Date.parse('2024-12-31T18:00:00Z'), end: Date.parse('2025-01-01T06:00:00Z') })
    expect(s.crew).toBeDefined()
  })
})
