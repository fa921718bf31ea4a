import { describe, expect, it } from 'vitest'
import type { CoilEvent } from '../core/payloads.ts'
import { applyCoilEvent, applySummary, fullView, markSuspect, publicView, readAttributes, type CoilRecord } from './model.ts'
import { transition } from './status.ts'
import { summarizeCoil } from './summary.ts'

const T0 = Date.UTC(2026, 10, 25, 2, 0, 0)
// The attributes the simulator sends (simulators/coils.ts coilAttributes).
const attributes = {
  parentId: 'H26A0123401',
  heat: '26A01234',
  grade: 'DC01',
  entryThickness_mm: 2.5,
  targetThickness_mm: 0.5,
  width_mm: 1250,
  weight_t: 22.5,
  length_m: 4585.5,
  passSchedule_mm: [1.6, 1.05, 0.75, 0.58, 0.5],
}
const ev = (event: 'start' | 'finish', ts: number, attrs: Record<string, unknown> = attributes): CoilEvent => ({
  line: 'tcm1',
  coilId: 'C26112510417',
  event,
  ts,
  attributes: attrs,
})
const replay = (...events: CoilEvent[]) => events.reduce<CoilRecord | undefined>(applyCoilEvent, undefined)!

describe('applyCoilEvent', () => {
  it('creates a rolling coil at start and finishes it', () => {
    const rolling = replay(ev('start', T0))
    expect(rolling).toMatchObject({
      id: 'C26112510417',
      line: 'tcm1',
      status: 'rolling',
      hotBandId: 'H26A0123401',
      heat: '26A01234',
      grade: 'DC01',
      entryThickness_mm: 2.5,
      targetThickness_mm: 0.5,
      width_mm: 1250,
      weight_t: 22.5,
      length_m: 4585.5,
      startedAt: T0,
      children: [],
      extra: { passSchedule_mm: attributes.passSchedule_mm },
    })
    const done = applyCoilEvent(rolling, ev('finish', T0 + 400_000, { ...attributes, weight_t: 22.61 }))
    expect(done).toMatchObject({ status: 'finished', startedAt: T0, finishedAt: T0 + 400_000, weight_t: 22.61 })
  })

  it('takes the same result from a redelivered or out-of-order event stream', () => {
    const inOrder = replay(ev('start', T0), ev('finish', T0 + 400_000))
    expect(replay(ev('start', T0), ev('start', T0), ev('finish', T0 + 400_000), ev('finish', T0 + 400_000))).toEqual(inOrder)
    expect(replay(ev('finish', T0 + 400_000), ev('start', T0))).toEqual(inOrder)
  })

  it('creates a finished coil from a finish whose start was lost', () => {
    const r = replay(ev('finish', T0))
    expect(r).toMatchObject({ status: 'finished', finishedAt: T0, grade: 'DC01' })
    expect(r.startedAt).toBeUndefined()
  })

  it('never undoes a QA status: a late event only fills gaps', () => {
    const held = transition(replay(ev('finish', T0 + 400_000, { grade: 'DC01' })), { to: 'hold', at: T0 + 500_000, by: 'qa1', reason: 'edge crack' })
    if ('error' in held) throw new Error(held.error)
    const late = applyCoilEvent(held, ev('start', T0, { grade: 'SPCC', heat: '26A01234' }))
    expect(late).toMatchObject({ status: 'hold', grade: 'DC01', heat: '26A01234', startedAt: T0 })
    expect(applyCoilEvent(late, ev('finish', T0 + 900_000)).status).toBe('hold')
  })

  it('keeps values that do not fit a field in extra, never in the field', () => {
    const { fields, extra } = readAttributes({ width_mm: '1250', weight_t: -1, grade: '', heat: 'x'.repeat(65), crew: ' B ', ['__proto__']: 1 })
    expect(fields).toEqual({ crew: 'B' })
    expect(Object.keys(extra).sort()).toEqual(['__proto__', 'grade', 'heat', 'weight_t', 'width_mm'])
  })

  it('refuses an event for another coil', () => {
    expect(() => applyCoilEvent(replay(ev('start', T0)), { ...ev('finish', T0), coilId: 'OTHER' })).toThrow(/OTHER/)
  })
})

describe('views and marks', () => {
  const coil = replay(ev('start', T0), ev('finish', T0 + 60_000))

  it('shows anyone only ID, grade, size and weight', () => {
    expect(publicView(coil)).toEqual({ id: 'C26112510417', grade: 'DC01', thickness_mm: 0.5, width_mm: 1250, weight_t: 22.5 })
  })

  it('shows a signed-in user the record with its summary, and records the measured thickness', () => {
    const summary = summarizeCoil({
      from: T0,
      to: T0 + 1000,
      stands: [],
      telemetry: { exit: { thickness_um: [{ ts: T0, value: 503.4 }], strip_speed_mps: [{ ts: T0, value: 5 }] } },
    })
    const measured = applySummary(coil, summary)
    expect(measured.measuredThickness_mm).toBe(0.503)
    expect(measured.length_m).toBe(4585.5) // the line's figure stays
    expect(fullView(measured, summary)).toMatchObject({ id: coil.id, heat: '26A01234', summary })
  })

  it('marks a coil suspect once per alarm', () => {
    expect(markSuspect(markSuspect(coil, 'a1'), 'a1').suspectAlarms).toEqual(['a1'])
  })
})
