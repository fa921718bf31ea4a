// Property-based tests and the fuzz corpus for the decoders of outside input (issue 3,
// "Proof"): whatever a device sends, decodeTelemetry and decodeCoilEvent never throw, answer
// with points or with rejects of a known reason, and never produce a wrong point — every
// point names a sensor of the plant model on that equipment, carries the input's own value
// (finite, within the sensor's range) and the input's timestamp or the time of receipt.
// The oracle reads the payload on its own (TextDecoder + JSON.parse), not through decode.ts.
import fc from 'fast-check'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isCoilId } from '../coils/coil-id.ts'
import { loadConfig } from '../core/config.ts'
import type { CoilEvent, Point } from '../core/payloads.ts'
import { decodeCoilEvent, decodeTelemetry, type DecodeLimits, type TelemetryResult } from './decode.ts'
import { REJECT_REASONS, type Reject } from './reasons.ts'

const { plant, ingest: limits } = loadConfig({}) as { plant: ReturnType<typeof loadConfig>['plant']; ingest: DecodeLimits }
const NOW = Date.parse('2025-11-24T10:00:00.000Z')
const RUNS = { numRuns: 600 }

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k)
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The payload as the oracle reads it: undefined when it is no JSON (or too big to be read). */
function oracleParse(payload: Uint8Array): { value: unknown } | undefined {
  if (payload.byteLength > limits.maxPayloadBytes) return undefined
  try {
    return { value: JSON.parse(new TextDecoder().decode(payload)) }
  } catch {
    return undefined
  }
}

/** The instant the oracle expects for a wire `ts` it has no generator knowledge of. */
function oracleTime(ts: unknown, receivedAt: number): number | undefined {
  if (ts === undefined || ts === null) return receivedAt
  if (typeof ts === 'number') return ts
  if (typeof ts === 'string' && /^\d+$/.test(ts)) return Number(ts)
  if (typeof ts === 'string') return Date.parse(ts)
  return undefined
}

/** `echoed`: topic levels a detail may quote (they come from the topic, not the payload). */
function checkRejects(rejects: Reject[], echoed = 0) {
  for (const r of rejects) {
    expect(REJECT_REASONS).toContain(r.reason)
    expect(typeof r.detail).toBe('string')
    expect(r.detail.length).toBeGreaterThan(0)
    expect(r.detail.length).toBeLessThan(400 + echoed) // a megabyte of payload is not echoed back
  }
}

/** Every property of a telemetry decode that holds for any input. */
function checkTelemetry(line: string, equipment: string, payload: Uint8Array, r: TelemetryResult, receivedAt = NOW, expectTs?: number) {
  expect(Array.isArray(r.points) && Array.isArray(r.rejects)).toBe(true)
  expect(r.points.length + r.rejects.length).toBeGreaterThan(0)
  checkRejects(r.rejects, line.length + equipment.length)
  if (r.points.length === 0) return
  const eq = plant.lines.get(line)?.equipment.get(equipment)
  expect(eq).toBeDefined()
  const parsed = oracleParse(payload)
  expect(parsed).toBeDefined()
  const msg = parsed!.value as { ts?: unknown; values: Record<string, unknown> }
  expect(isObject(msg) && isObject(msg.values)).toBe(true)
  const ts = expectTs ?? oracleTime(msg.ts, receivedAt)
  const seen = new Set<string>()
  for (const p of r.points as Point[]) {
    expect(Object.keys(p).sort()).toEqual(['equipment', 'line', 'sensor', 'ts', 'value'])
    expect(p.line).toBe(line)
    expect(p.equipment).toBe(equipment)
    const sensor = eq!.sensors.get(p.sensor)
    expect(sensor, `sensor ${p.sensor}`).toBeDefined()
    expect(seen.has(p.sensor)).toBe(false)
    seen.add(p.sensor)
    expect(Number.isFinite(p.value)).toBe(true)
    expect(p.value).toBeGreaterThanOrEqual(sensor!.range[0])
    expect(p.value).toBeLessThanOrEqual(sensor!.range[1])
    expect(own(msg.values, p.sensor)).toBe(true)
    expect(p.value === msg.values[p.sensor]).toBe(true) // === : -0 and 0 are the same reading
    expect(Number.isSafeInteger(p.ts)).toBe(true)
    expect(Math.abs(p.ts - ts!)).toBeLessThan(1) // ms precision: 1764000000000.4 → …000
    expect(p.ts).toBeLessThanOrEqual(receivedAt + limits.maxFutureSkewMs)
    expect(p.ts).toBeGreaterThanOrEqual(receivedAt - limits.maxPastAgeMs)
  }
  // Nothing is dropped silently: each reading of the message is a point or a reject naming it.
  const keys = Object.keys(msg.values)
  const perSensor = r.rejects.filter((x) => x.sensor !== undefined)
  expect(r.points.length + perSensor.length).toBe(keys.length)
}

function checkCoil(line: string, payload: Uint8Array, r: { event?: CoilEvent; reject?: Reject }, receivedAt = NOW) {
  expect((r.event === undefined) !== (r.reject === undefined)).toBe(true)
  if (r.reject) return checkRejects([r.reject], line.length)
  const e = r.event!
  expect(plant.lines.has(line)).toBe(true)
  const parsed = oracleParse(payload)
  expect(parsed).toBeDefined()
  const { event, coilId, ts, ...attributes } = parsed!.value as Record<string, unknown>
  expect(e.line).toBe(line)
  expect(e.event).toBe(event)
  expect(['start', 'finish']).toContain(e.event)
  expect(e.coilId).toBe(coilId)
  expect(e.coilId).toMatch(/^[A-Za-z0-9_.-]{1,64}$/)
  expect(Math.abs(e.ts - oracleTime(ts, receivedAt)!)).toBeLessThan(1)
  expect(e.ts).toBeLessThanOrEqual(receivedAt + limits.maxFutureSkewMs)
  expect(e.ts).toBeGreaterThanOrEqual(receivedAt - limits.maxPastAgeMs)
  expect(e.attributes).toEqual(attributes)
}

// ---- arbitraries -------------------------------------------------------------------------

const lines = [...plant.lines.values()]
const realEquipment = lines.flatMap((l) => [...l.equipment.values()].map((e) => ({ line: l.id, equipment: e.id, sensors: [...e.sensors.values()] })))
const nastyName = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'speed_mps ', 'SPEED_MPS', 'speed_mps\u0000', 'ѕpeed_mps', '速度', '🔥', 'a'.repeat(500))
const where = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...realEquipment).map((e) => ({ line: e.line, equipment: e.equipment })) },
  { weight: 1, arbitrary: fc.record({ line: fc.oneof(fc.constantFrom('tcm1'), fc.string(), nastyName), equipment: fc.oneof(fc.constantFrom('stand1', 'exit'), fc.string(), nastyName) }) },
)

/** Numbers and number-likes a broken or malicious gateway sends. */
const weirdValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 2, 2 ** 63, -1, 0.1 + 0.2),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '12.5', '0x10', '', ' 3 ', '1,5', 'null', true, false, null),
  fc.string({ maxLength: 40 }),
  fc.array(fc.double(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.double(), { maxKeys: 2 }),
)

/** Timestamps: good ones (with the instant the oracle expects), and everything else. */
const goodTs = fc.integer({ min: -limits.maxPastAgeMs + 1, max: limits.maxFutureSkewMs - 1 }).chain((offset) => {
  const ms = NOW + offset
  const iso = new Date(ms).toISOString()
  return fc.constantFrom(
    { ts: ms, ms },
    { ts: String(ms), ms },
    { ts: iso, ms },
    { ts: iso.replace('Z', '+00:00'), ms },
    { ts: iso.replace('T', ' '), ms },
    { ts: new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00'), ms },
    { ts: new Date(ms - 5 * 3_600_000).toISOString().replace('Z', '-0500'), ms },
    { ts: undefined, ms: NOW },
    { ts: null, ms: NOW },
  )
})
const badTs = fc.oneof(
  fc.constantFrom(NOW / 1000, NOW * 1000, -NOW, 0, -0, 1e308, NOW + 86_400_000, NOW - 30 * 86_400_000, 'yesterday', '', 'NaN', '2025-13-01T00:00:00Z', '2025-11-24T10:00:00.000Zjunk', ' 2025-11-24T10:00:00Z', '1764000000000 ', '-1764000000000', '1'.repeat(41), true, [], {}, [NOW]),
  fc.double(),
  fc.string({ maxLength: 50 }),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), // mostly far from NOW
)

/** A telemetry message shaped like the real thing, with random damage. */
const telemetryLike = fc
  .record({
    where,
    ts: fc.oneof({ weight: 3, arbitrary: goodTs.map((t) => ({ ...t, known: true })) }, { weight: 1, arbitrary: badTs.map((ts) => ({ ts, ms: undefined, known: false })) }),
    readings: fc.array(
      fc.record({
        name: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...new Set(realEquipment.flatMap((e) => e.sensors.map((s) => s.id)))) }, { weight: 1, arbitrary: nastyName }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }),
        value: fc.oneof({ weight: 2, arbitrary: fc.double({ min: -50, max: 50000, noNaN: true }) }, { weight: 1, arbitrary: weirdValue }),
      }),
      { maxLength: 14 },
    ),
    extra: fc.dictionary(fc.oneof(nastyName, fc.string({ maxLength: 8 })), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  })
  .map(({ where, ts, readings, extra }) => {
    const values: Record<string, unknown> = {}
    for (const r of readings) Object.defineProperty(values, r.name, { value: r.value, enumerable: true, configurable: true, writable: true })
    const msg: Record<string, unknown> = { ...extra }
    for (const [k, v] of [['values', values], ['ts', ts.ts]] as const) Object.defineProperty(msg, k, { value: v, enumerable: true, configurable: true, writable: true })
    return { ...where, text: JSON.stringify(msg), expectTs: ts.known ? ts.ms : undefined }
  })

/** Byte-level damage: BOMs, truncation, invalid UTF-8, raw literals JSON.stringify never writes. */
const damaged = fc
  .tuple(
    telemetryLike,
    fc.constantFrom('none', 'bom', 'utf16bom', 'truncate', 'invalid-utf8', 'raw-literal', 'duplicate-key', 'trailing-garbage', 'wrap-array', 'nul'),
    fc.nat(),
  )
  .map(([m, how, n]) => {
    const t = Buffer.from(m.text)
    const at = t.length ? n % t.length : 0
    const raw = (s: string) => Buffer.from(m.text.replace(/"values":\{/, `"values":{"speed_mps":${s},`))
    const payload = {
      none: t,
      bom: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), t]),
      utf16bom: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(m.text, 'utf16le')]),
      truncate: t.subarray(0, at),
      'invalid-utf8': Buffer.concat([t.subarray(0, at), Buffer.from([[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xf0, 0x28, 0x8c, 0x28]][n % 4]), t.subarray(at)]),
      'raw-literal': raw(['1e999', '-1e999', '-0', '1E+308', '0.0000000000000000000001', '123456789012345678901234567890', 'NaN', 'Infinity', '01', '.5', '+1'][n % 11]),
      'duplicate-key': raw(`12, "speed_mps": ${['"x"', '13', 'null', '-5'][n % 4]}`),
      'trailing-garbage': Buffer.concat([t, Buffer.from(['}', ' x', '\u0000', '{}'][n % 4])]),
      'wrap-array': Buffer.from(`[${m.text}]`),
      nul: Buffer.concat([t.subarray(0, at), Buffer.from([0]), t.subarray(at)]),
    }[how]
    return { line: m.line, equipment: m.equipment, payload, expectTs: how === 'none' ? m.expectTs : undefined }
  })

describe('decodeTelemetry, property-based', () => {
  it('never throws on arbitrary bytes, and answers with a known reason', () => {
    fc.assert(
      fc.property(where, fc.uint8Array({ maxLength: 2048 }), ({ line, equipment }, bytes) => {
        checkTelemetry(line, equipment, bytes, decodeTelemetry(plant, line, equipment, bytes, NOW, limits))
      }),
      RUNS,
    )
  })

  it('never throws on arbitrary JSON (moderate nesting), and never stores a wrong point', () => {
    fc.assert(
      fc.property(where, fc.jsonValue({ maxDepth: 6 }), ({ line, equipment }, v) => {
        const payload = Buffer.from(JSON.stringify(v) ?? 'null')
        checkTelemetry(line, equipment, payload, decodeTelemetry(plant, line, equipment, payload, NOW, limits))
      }),
      RUNS,
    )
  })

  it('never stores a wrong point from a realistic message with random damage', () => {
    fc.assert(
      fc.property(damaged, ({ line, equipment, payload, expectTs }) => {
        checkTelemetry(line, equipment, payload, decodeTelemetry(plant, line, equipment, payload, NOW, limits), NOW, expectTs)
      }),
      { numRuns: 1000 },
    )
  })

  it('stores every valid reading of a valid message, at the message time', () => {
    const valid = fc.constantFrom(...realEquipment).chain((e) =>
      fc.tuple(
        fc.constant(e),
        goodTs,
        fc.subarray(e.sensors, { minLength: 1 }).chain((ss) => fc.tuple(...ss.map((s) => fc.double({ min: s.range[0], max: s.range[1], noNaN: true }).map((v) => [s.id, v] as const)))),
      ),
    )
    fc.assert(
      fc.property(valid, ([e, ts, readings]) => {
        const payload = Buffer.from(JSON.stringify({ ts: ts.ts, values: Object.fromEntries(readings) }))
        const r = decodeTelemetry(plant, e.line, e.equipment, payload, NOW, limits)
        expect(r.rejects).toEqual([])
        expect(r.points.map((p) => [p.sensor, p.value, p.ts])).toEqual(readings.map(([s, v]) => [s, v === 0 ? 0 : v, ts.ms]))
      }),
      RUNS,
    )
  })

  it('gives the same answer for the same bytes, and does not depend on the prototype chain', () => {
    fc.assert(
      fc.property(damaged, ({ line, equipment, payload }) => {
        const a = decodeTelemetry(plant, line, equipment, payload, NOW, limits)
        expect(decodeTelemetry(plant, line, equipment, Uint8Array.from(payload), NOW, limits)).toEqual(a)
      }),
      { numRuns: 300 },
    )
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('does not let "__proto__" or "constructor" keys pollute or hide readings', () => {
    const payload = Buffer.from('{"__proto__":{"polluted":1},"values":{"__proto__":{"speed_mps":3},"constructor":7,"speed_mps":12}}')
    const r = decodeTelemetry(plant, 'tcm1', 'stand1', payload, NOW, limits)
    expect(r.points.map((p) => [p.sensor, p.value])).toEqual([['speed_mps', 12]])
    expect(r.rejects.map((x) => [x.sensor, x.reason])).toEqual([['__proto__', 'unknown_sensor'], ['constructor', 'unknown_sensor']])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

// ---- coil events -------------------------------------------------------------------------

const coilLike = fc
  .record({
    line: fc.oneof({ weight: 5, arbitrary: fc.constant('tcm1') }, { weight: 1, arbitrary: fc.oneof(fc.string(), nastyName) }),
    event: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('start', 'finish') }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('START', 'pause', '', null, 1), fc.string()) }),
    coilId: fc.oneof(
      { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/) },
      { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 80 }), nastyName, fc.constantFrom('../etc/passwd', 'C1/2', 'C 1', 'C1\n', 'a'.repeat(65), 42, null)) },
    ),
    ts: fc.oneof({ weight: 3, arbitrary: goodTs.map((t) => t.ts) }, { weight: 1, arbitrary: badTs }),
    attributes: fc.dictionary(fc.oneof(fc.constantFrom('grade', 'width_mm', 'weight_t', 'parentId', 'heat'), nastyName, fc.string({ maxLength: 10 })), fc.oneof(fc.jsonValue({ maxDepth: 3 }), weirdValue), { maxKeys: 6 }),
  })
  .map(({ line, event, coilId, ts, attributes }) => {
    const msg: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(attributes)) Object.defineProperty(msg, k, { value: v, enumerable: true, configurable: true, writable: true })
    Object.assign(msg, { event, coilId, ts })
    return { line, payload: Buffer.from(JSON.stringify(msg)) }
  })

describe('decodeCoilEvent, property-based', () => {
  it('never throws on arbitrary bytes or JSON, and answers with an event or a known reason', () => {
    const anyPayload = fc.oneof(fc.uint8Array({ maxLength: 1024 }), fc.jsonValue({ maxDepth: 6 }).map((v) => Buffer.from(JSON.stringify(v) ?? '')))
    fc.assert(
      fc.property(fc.oneof(fc.constant('tcm1'), fc.string()), anyPayload, (line, payload) => {
        checkCoil(line, payload, decodeCoilEvent(plant, line, payload, NOW, limits))
      }),
      RUNS,
    )
  })

  it('keeps the event, coil ID, time and attributes of a realistic message as sent, or rejects it', () => {
    fc.assert(
      fc.property(coilLike, ({ line, payload }) => {
        const r = decodeCoilEvent(plant, line, payload, NOW, limits)
        checkCoil(line, payload, r)
        if (r.event) expect(() => JSON.stringify(r.event!.attributes)).not.toThrow() // the store must be able to keep it
      }),
      { numRuns: 1000 },
    )
  })
})

// ---- known bugs (issue 3's proof found them; remove `.fails` once fixed) -----------------

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)

describe('decoders: bugs the properties found', () => {
  // Regression (was a bug): a ~20 KB payload nesting arrays 10 000 deep (well under maxPayloadBytes) makes
  // decodeTelemetry throw "RangeError: Maximum call stack size exceeded": JSON.parse copes,
  // but the reject detail runs JSON.stringify(value) on it (decode.ts, non_numeric), which
  // recurses. On the embedded broker the publish is refused without a PUBACK and without a
  // dead letter, so the device resends the same message after every reconnect: a poison
  // message that stalls the gateway's whole QoS 1 stream for good.
  it('rejects a deeply nested value as non_numeric instead of throwing', () => {
    const payload = Buffer.from(`{"values":{"speed_mps":${nested(10_000)}}}`)
    const r = decodeTelemetry(plant, 'tcm1', 'stand1', payload, NOW, limits)
    expect(r.rejects.map((x) => x.reason)).toEqual(['non_numeric'])
  })

  // Regression (was a bug): same cause in the bad_timestamp detail (JSON.stringify(ts)), for telemetry and coils.
  it('rejects a deeply nested "ts" as bad_timestamp instead of throwing', () => {
    const payload = Buffer.from(`{"ts":${nested(10_000)},"values":{"speed_mps":1}}`)
    expect(decodeTelemetry(plant, 'tcm1', 'stand1', payload, NOW, limits).rejects.map((x) => x.reason)).toEqual(['bad_timestamp'])
  })

  // Regression (was a bug): same cause in decodeCoilEvent's bad_shape detail (JSON.stringify(event)).
  it('rejects a deeply nested "event" as bad_shape instead of throwing', () => {
    const r = decodeCoilEvent(plant, 'tcm1', Buffer.from(`{"event":${nested(10_000)},"coilId":"C1"}`), NOW, limits)
    expect(r.reject?.reason).toBe('bad_shape')
  })

  // Regression (was a bug): a deeply nested attribute is accepted, but JSON.stringify of the attributes throws,
  // so the store's appendCoilEvents refuses the event ("attributes are not JSON", a 400) and
  // ingest treats that like a store failure: no PUBACK, the device resends forever.
  it('never accepts a coil event whose attributes the store cannot serialise', () => {
    const r = decodeCoilEvent(plant, 'tcm1', Buffer.from(`{"event":"start","coilId":"C1","grade":${nested(10_000)}}`), NOW, limits)
    if (r.event) expect(() => JSON.stringify(r.event!.attributes)).not.toThrow()
  })

  // Regression (was a bug): ingest accepts a coil ID made only of dots ("." or ".."), which coils/coil-id.ts
  // refuses — RFC 3986 removes such segments, so /api/coils/.. can never name the coil:
  // its events are stored but its record and label can never be opened.
  it('accepts only coil IDs the coil records can address', () => {
    const r = decodeCoilEvent(plant, 'tcm1', Buffer.from('{"event":"start","coilId":".."}'), NOW, limits)
    expect(r.event === undefined || isCoilId(r.event.coilId)).toBe(true)
  })

  // Regression (was a bug in core/time.ts): an ISO 8601 time without a zone designator ("2025-11-24T10:00:00")
  // is read by Date.parse in the time zone of the millwatch process (TZ), not in the plant's
  // configured zone nor rejected: the same payload is stored 8 h apart on a host in UTC and
  // one in Asia/Shanghai, and a gateway sending local time west of the host is stored hours
  // in the past without any dead letter. The same parser reads /api/series' from and to.
  it('reads a time without zone designator the same whatever the host time zone', () => {
    const before = process.env.TZ
    const payload = Buffer.from('{"ts":"2025-11-24T09:00:00","values":{"speed_mps":1}}')
    const at = (tz: string) => {
      process.env.TZ = tz
      const r = decodeTelemetry(plant, 'tcm1', 'stand1', payload, NOW, limits)
      return r.points[0]?.ts ?? r.rejects[0]?.reason
    }
    try {
      expect(at('UTC')).toBe(at('America/New_York'))
    } finally {
      if (before === undefined) delete process.env.TZ
      else process.env.TZ = before
    }
  })

  // Regression (was a bug in core/time.ts): V8's Date.parse rolls an impossible calendar date over instead of
  // refusing it: "2025-11-31T09:00:00Z" is stored as 2025-12-01T09:00:00Z.
  it('rejects an impossible calendar date rather than storing it on another day', () => {
    const r = decodeTelemetry(plant, 'tcm1', 'stand1', Buffer.from('{"ts":"2025-11-31T09:00:00Z","values":{"speed_mps":1}}'), Date.parse('2025-12-01T09:00:00Z'), limits)
    expect(r.rejects.map((x) => x.reason)).toEqual(['bad_timestamp'])
  })
})

// ---- the fuzz corpus ---------------------------------------------------------------------
// test/fuzz/telemetry/NAME.OUTCOME.(json|bin), replayed as plant/tcm1/stand3/telemetry at
// NOW. OUTCOME is "+"-joined: "points" (some readings stored) and the reject reasons, exactly.
// test/fuzz/coil/NAME.OUTCOME.(json|bin) likewise, as plant/tcm1/coil: "event" or one reason.

const FUZZ = resolve(import.meta.dirname, '../test/fuzz')
const corpus = (kind: string) =>
  readdirSync(join(FUZZ, kind))
    .filter((f) => /\.(json|bin)$/.test(f))
    .sort()
    .map((f) => ({ file: f, payload: readFileSync(join(FUZZ, kind, f)), outcome: f.split('.').at(-2)!.split('+').sort() }))


describe('fuzz corpus', () => {
  const telemetry = corpus('telemetry')
  it('has a few dozen telemetry inputs', () => expect(telemetry.length).toBeGreaterThanOrEqual(30))
  for (const c of telemetry)
    it(`telemetry ${c.file}`, () => {
      const r = decodeTelemetry(plant, 'tcm1', 'stand3', c.payload, NOW, limits)
      checkTelemetry('tcm1', 'stand3', c.payload, r)
      const got = [...new Set([...(r.points.length ? ['points'] : []), ...r.rejects.map((x) => x.reason)])].sort()
      expect(got).toEqual(c.outcome)
    })
  for (const c of corpus('coil'))
    it(`coil ${c.file}`, () => {
      const r = decodeCoilEvent(plant, 'tcm1', c.payload, NOW, limits)
      checkCoil('tcm1', c.payload, r)
      if (r.event) expect(() => JSON.stringify(r.event!.attributes)).not.toThrow()
      expect([r.event ? 'event' : r.reject!.reason]).toEqual(c.outcome)
    })
})
