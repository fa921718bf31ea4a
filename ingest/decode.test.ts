import { describe, expect, it } from 'vitest'
import { loadConfig } from '../core/config.ts'
import { decodeCoilEvent, decodeTelemetry } from './decode.ts'

const { plant } = loadConfig({})
const limits = { maxPayloadBytes: 1024, maxFutureSkewMs: 5 * 60_000, maxPastAgeMs: 7 * 86_400_000 }
const now = Date.parse('2025-11-24T10:00:00.000Z')
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v))
const decode = (payload: unknown, equipment = 'stand3', line = 'tcm1') => decodeTelemetry(plant, line, equipment, bytes(payload), now, limits)

describe('decodeTelemetry', () => {
  it('stores every valid reading at the message time', () => {
    const r = decode({ ts: now - 1000, values: { vibration_mm_s: 3.1, bearing_temp_C: 61.2 } })
    expect(r.rejects).toEqual([])
    expect(r.points).toEqual([
      { line: 'tcm1', equipment: 'stand3', sensor: 'vibration_mm_s', ts: now - 1000, value: 3.1 },
      { line: 'tcm1', equipment: 'stand3', sensor: 'bearing_temp_C', ts: now - 1000, value: 61.2 },
    ])
  })

  it.each([
    ['epoch ms', now - 5, now - 5],
    ['ISO 8601 UTC', '2025-11-24T09:59:59.500Z', now - 500],
    ['ISO 8601 with offset', '2025-11-24T17:59:59+08:00', now - 1000],
    ['missing: time of receipt', undefined, now],
  ])('reads ts as %s', (_name, ts, expected) => {
    expect(decode({ ts, values: { speed_mps: 12 } }).points[0].ts).toBe(expected)
  })

  it.each([
    ['malformed JSON', '{"values": {', 'malformed_json'],
    ['an array', [1, 2], 'bad_shape'],
    ['no values object', { ts: now, value: 3 }, 'bad_shape'],
    ['empty values', { values: {} }, 'bad_shape'],
    ['a garbage ts', { ts: 'yesterday', values: { speed_mps: 1 } }, 'bad_timestamp'],
    ['ts in seconds', { ts: now / 1000, values: { speed_mps: 1 } }, 'bad_timestamp'],
    ['ts an hour ahead', { ts: now + 3_600_000, values: { speed_mps: 1 } }, 'future_timestamp'],
    ['ts a month old', { ts: now - 30 * 86_400_000, values: { speed_mps: 1 } }, 'past_timestamp'],
    ['an oversized payload', { values: { speed_mps: 1 }, pad: 'x'.repeat(2000) }, 'oversized'],
  ])('rejects %s as a whole', (_name, payload, reason) => {
    const r = decode(payload)
    expect(r.points).toEqual([])
    expect(r.rejects.map((x) => x.reason)).toEqual([reason])
    expect(r.rejects[0].detail.length).toBeGreaterThan(5)
  })

  it('rejects only the bad values and keeps the good ones of the same message', () => {
    const r = decode({
      ts: now,
      values: { speed_mps: 12.5, no_such: 1, tension_kN: 'high', roll_force_kN: null, bearing_temp_C: 900, motor_current_A: 4000 },
    })
    expect(r.points.map((p) => p.sensor)).toEqual(['speed_mps', 'motor_current_A'])
    // what the rules and a store that takes readings as they are get: the same two, no Points
    const lean = decodeTelemetry(plant, 'tcm1', 'stand3', bytes({ ts: now, values: { speed_mps: 12.5, no_such: 1, motor_current_A: 4000, tension_kN: 'high' } }), now, limits, false)
    expect([lean.count, lean.points, lean.values]).toEqual([2, [], { speed_mps: 12.5, motor_current_A: 4000 }])
    expect(r.rejects.map((x) => [x.sensor, x.reason])).toEqual([
      ['no_such', 'unknown_sensor'],
      ['tension_kN', 'non_numeric'],
      ['roll_force_kN', 'non_numeric'],
      ['bearing_temp_C', 'out_of_range'],
    ])
  })

  it('rejects non-finite numbers that JSON cannot carry but a parser extension might', () => {
    // JSON has no NaN/Infinity; 1e999 parses to Infinity.
    const r = decode('{"values": {"speed_mps": 1e999, "tension_kN": 100}}')
    expect(r.rejects.map((x) => x.reason)).toEqual(['non_finite'])
    expect(r.points).toHaveLength(1)
  })

  it('names unknown lines and equipment', () => {
    expect(decode({ values: { speed_mps: 1 } }, 'stand9').rejects[0]).toMatchObject({ reason: 'unknown_equipment' })
    expect(decode({ values: { speed_mps: 1 } }, 'stand1', 'hsm9').rejects[0]).toMatchObject({ reason: 'unknown_line' })
  })
})

describe('decodeCoilEvent', () => {
  const coil = (v: unknown, line = 'tcm1') => decodeCoilEvent(plant, line, bytes(v), now, limits)

  it('keeps the attributes of a start event', () => {
    const r = coil({ event: 'start', coilId: 'C123', ts: now, grade: 'DC04', width_mm: 1250 })
    expect(r.event).toEqual({ line: 'tcm1', coilId: 'C123', event: 'start', ts: now, attributes: { grade: 'DC04', width_mm: 1250 } })
  })

  it.each([
    [{ event: 'pause', coilId: 'C1' }, 'bad_shape'],
    [{ event: 'start' }, 'bad_shape'],
    [{ event: 'start', coilId: '../../etc' }, 'bad_shape'],
    [{ event: 'finish', coilId: 'C1', ts: 'never' }, 'bad_timestamp'],
    ['not json', 'malformed_json'],
  ])('rejects %j', (payload, reason) => {
    expect(coil(payload).reject?.reason).toBe(reason)
  })

  it('rejects an unknown line', () => {
    expect(coil({ event: 'start', coilId: 'C1' }, 'nope').reject?.reason).toBe('unknown_line')
  })
})
