import { describe, expect, it } from 'vitest'
import { COIL_STATUSES, type CoilRecord, type CoilStatus } from './model.ts'
import { canTransition, transition, TRANSITIONS } from './status.ts'

const coil = (status: CoilStatus, extra: Partial<CoilRecord> = {}): CoilRecord => ({
  id: 'C1',
  line: 'tcm1',
  status,
  children: [],
  suspectAlarms: [],
  extra: {},
  ...extra,
})
const AT = Date.UTC(2026, 10, 25, 8)

// The allowed moves, written out once more by hand: a change to TRANSITIONS must change this too.
const ALLOWED = new Set([
  'rolling→finished', 'rolling→scrapped',
  'finished→hold', 'finished→released', 'finished→scrapped',
  'hold→released', 'hold→scrapped',
  'released→hold', 'released→shipped', 'released→scrapped',
])

describe('coil status transitions', () => {
  const pairs = COIL_STATUSES.flatMap((from) => COIL_STATUSES.map((to) => [from, to] as const))

  it.each(pairs)('%s → %s', (from, to) => {
    const allowed = ALLOWED.has(`${from}→${to}`)
    expect(canTransition(from, to)).toBe(allowed)
    const r = transition(coil(from), { to, at: AT, by: 'qa1', reason: 'checked' })
    if (allowed) expect(r).toMatchObject({ status: to, statusChange: { at: AT, by: 'qa1', reason: 'checked' } })
    else expect(r).toEqual({ error: expect.stringContaining(`is ${from}: it cannot become ${to}`) })
  })

  it('has shipped and scrapped as final states', () => {
    expect(TRANSITIONS.shipped).toEqual([])
    expect(TRANSITIONS.scrapped).toEqual([])
  })

  it('wants a reason for hold and scrap, not for release', () => {
    expect(transition(coil('finished'), { to: 'hold', at: AT, reason: '  ' })).toEqual({ error: 'a reason is needed to set a coil to hold' })
    expect(transition(coil('hold'), { to: 'scrapped', at: AT })).toHaveProperty('error')
    expect(transition(coil('hold'), { to: 'released', at: AT, by: 'qa2' })).toMatchObject({ status: 'released', statusChange: { at: AT, by: 'qa2' } })
  })

  it('stamps a lost finish when a level-3 system finishes a coil by hand', () => {
    expect(transition(coil('rolling'), { to: 'finished', at: AT })).toMatchObject({ status: 'finished', finishedAt: AT })
  })

  it('refuses to move a coil that was split', () => {
    expect(transition(coil('released', { children: ['C1A', 'C1B'] }), { to: 'shipped', at: AT })).toEqual({
      error: 'coil C1 was split into C1A, C1B: act on those coils',
    })
  })
})
