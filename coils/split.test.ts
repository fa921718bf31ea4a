import { describe, expect, it } from 'vitest'
import type { CoilRecord } from './model.ts'
import { splitCoil } from './split.ts'

const AT = Date.UTC(2026, 10, 26, 1)
const parent: CoilRecord = {
  id: 'C26112510417',
  line: 'tcm1',
  status: 'released',
  hotBandId: 'H26A0123401',
  heat: '26A01234',
  grade: 'DC04',
  entryThickness_mm: 2.5,
  targetThickness_mm: 0.5,
  measuredThickness_mm: 0.502,
  width_mm: 1200,
  length_m: 4000,
  weight_t: 18.84,
  crew: 'B',
  startedAt: AT - 86_400_000,
  finishedAt: AT - 86_000_000,
  children: [],
  suspectAlarms: ['a7'],
  extra: { passSchedule_mm: [1.6, 1, 0.7, 0.55, 0.5] },
}
const ok = (r: ReturnType<typeof splitCoil>) => {
  if ('error' in r) throw new Error(r.error)
  return r
}

describe('splitCoil', () => {
  it('slits: children inherit heat, grade, hot band and thickness, and the genealogy walks both ways', () => {
    const { parent: p, children } = ok(splitCoil(parent, [{ id: 'C26112510417A', width_mm: 600 }, { id: 'C26112510417B', width_mm: 590 }], AT))
    expect(p.children).toEqual(['C26112510417A', 'C26112510417B'])
    for (const c of children) {
      expect(c).toMatchObject({
        splitFrom: parent.id,
        splitAt: AT,
        heat: parent.heat,
        grade: parent.grade,
        hotBandId: parent.hotBandId,
        targetThickness_mm: parent.targetThickness_mm,
        measuredThickness_mm: parent.measuredThickness_mm,
        length_m: parent.length_m, // a slit runs the whole length
        status: 'released',
        suspectAlarms: ['a7'],
        children: [],
      })
      // Rolling facts stay with the mill coil, so tonnage per shift is not counted twice.
      expect(c.finishedAt).toBeUndefined()
      expect(c.crew).toBeUndefined()
    }
    // Weight by plan area: 600/1200 and 590/1200 of 18.84 t.
    expect(children.map((c) => c.weight_t)).toEqual([9.42, 9.263])
  })

  it('cuts: lengths given, width inherited; a weighed child keeps its weight', () => {
    const { children } = ok(splitCoil(parent, [{ id: 'K1', length_m: 1500, weight_t: 7.1 }, { id: 'K2', length_m: 2500 }], AT))
    expect(children.map((c) => [c.width_mm, c.length_m, c.weight_t])).toEqual([[1200, 1500, 7.1], [1200, 2500, 11.775]])
  })

  it('keeps the pieces of a held coil on hold, with the hold\'s reason', () => {
    const held: CoilRecord = { ...parent, status: 'hold', statusChange: { at: AT - 1000, by: 'qa1', reason: 'edge crack at 3200 m' } }
    const { children } = ok(splitCoil(held, [{ id: 'K1', length_m: 3000 }, { id: 'K2', length_m: 1000 }], AT))
    expect(children.map((c) => [c.status, c.statusChange?.reason])).toEqual([['hold', 'edge crack at 3200 m'], ['hold', 'edge crack at 3200 m']])
  })

  it.each([
    [[{ id: 'A', width_mm: 700 }, { id: 'B', width_mm: 700 }], 'cover more than the parent'],
    [[{ id: 'A', length_m: 3000, weight_t: 10 }, { id: 'B', length_m: 1000, weight_t: 10 }], 'weigh 20.000 t together'],
    [[{ id: 'A', width_mm: 1300 }], 'wider'],
    [[{ id: 'A', length_m: 4100 }], 'longer'],
    [[{ id: 'A' }, { id: 'A' }], 'given twice'],
    [[{ id: 'C26112510417' }], 'its parent\'s ID'],
    [[{ id: '..' }], 'not a coil ID'],
    [[{ id: 'A', width_mm: -5 }], 'positive'],
    [[], '1 to 64'],
  ])('refuses %j: %s', (specs, reason) => {
    const r = splitCoil(parent, specs, AT)
    expect('error' in r && r.error).toContain(reason)
  })

  it('refuses coils still rolling, gone, or already split', () => {
    for (const status of ['rolling', 'shipped', 'scrapped'] as const)
      expect(splitCoil({ ...parent, status }, [{ id: 'A' }], AT)).toHaveProperty('error')
    const { parent: once } = ok(splitCoil(parent, [{ id: 'A', width_mm: 600 }, { id: 'B', width_mm: 600 }], AT))
    expect(splitCoil(once, [{ id: 'X' }], AT)).toEqual({ error: `coil ${parent.id} was already split into A, B` })
  })
})
