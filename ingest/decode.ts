// Decoding and validation of device messages against the plant model: pure functions of
// (topic, payload, time of receipt) → points to store + rejects. A bad value rejects only
// itself; the valid readings of the same message are still stored.
import type { Equipment, Plant } from '../core/plant.ts'
import type { CoilEvent, Point } from '../core/payloads.ts'
import { parseTimestamp } from '../core/time.ts'
import type { Reject } from './reasons.ts'

export interface DecodeLimits {
  maxPayloadBytes: number
  maxFutureSkewMs: number
  maxPastAgeMs: number
}

export interface TelemetryResult {
  /** The valid readings as points (empty when the caller asked for `values` only). */
  points: Point[]
  /** How many readings are valid. */
  count: number
  rejects: Reject[]
  /** the message time, and its valid readings by sensor (what the rules engine evaluates) */
  ts?: number
  values?: Record<string, number>
}

/** A short, safe description of a bad value: never recurses (a 10 000-deep array overflows JSON.stringify). */
function preview(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 40))
  if (Array.isArray(v)) return 'an array'
  if (v === null) return 'null'
  if (typeof v === 'object') return 'an object'
  return String(v).slice(0, 40)
}

/** How deep JSON nests, stopping early: coil attributes deeper than this cannot be stored. */
function depthExceeds(v: unknown, max: number): boolean {
  if (typeof v !== 'object' || v === null) return false
  if (max === 0) return true
  for (const x of Object.values(v)) if (depthExceeds(x, max - 1)) return true
  return false
}
const MAX_ATTRIBUTE_DEPTH = 16

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function parseJson(payload: Uint8Array, limits: DecodeLimits): { value?: unknown; reject?: Reject } {
  if (payload.byteLength > limits.maxPayloadBytes)
    return { reject: { reason: 'oversized', detail: `payload of ${payload.byteLength} bytes exceeds ${limits.maxPayloadBytes}` } }
  try {
    const text = Buffer.isBuffer(payload) ? payload.toString('utf8') : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8')
    return { value: JSON.parse(text) }
  } catch (err) {
    return { reject: { reason: 'malformed_json', detail: (err as Error).message.slice(0, 200) } }
  }
}

/** The message's timestamp, or a reject explaining why it cannot be used. */
export function messageTime(ts: unknown, receivedAt: number, limits: DecodeLimits): { ts?: number; reject?: Reject } {
  if (ts === undefined || ts === null) return { ts: receivedAt }
  const ms = parseTimestamp(ts)
  if (ms === undefined) return { reject: { reason: 'bad_timestamp', detail: `ts ${preview(ts)} is neither epoch ms nor an ISO 8601 time with a zone (Z or ±hh:mm)` } }
  if (ms > receivedAt + limits.maxFutureSkewMs)
    return { reject: { reason: 'future_timestamp', detail: `ts ${new Date(ms).toISOString()} is ahead of the time of receipt by more than ${limits.maxFutureSkewMs} ms` } }
  if (ms < receivedAt - limits.maxPastAgeMs)
    return { reject: { reason: 'past_timestamp', detail: `ts ${new Date(ms).toISOString()} is older than ${limits.maxPastAgeMs} ms` } }
  return { ts: ms }
}

/** Why one reading cannot be stored (unknown sensor, not a finite number, out of range), or undefined. Shared with Sparkplug B ingest. */
export function checkReading(eq: Equipment, line: string, sensorId: string, value: unknown): Reject | undefined {
  const sensor = eq.sensors.get(sensorId)
  if (!sensor) return { reason: 'unknown_sensor', sensor: sensorId, detail: `no sensor "${sensorId.slice(0, 64)}" on ${line}/${eq.id}` }
  if (typeof value !== 'number') return { reason: 'non_numeric', sensor: sensorId, detail: `value ${preview(value)} is not a number` }
  if (!Number.isFinite(value)) return { reason: 'non_finite', sensor: sensorId, detail: `value ${value} is not finite` }
  if (value < sensor.range[0] || value > sensor.range[1])
    return { reason: 'out_of_range', sensor: sensorId, detail: `value ${value} ${sensor.unit} is outside [${sensor.range[0]}, ${sensor.range[1]}]` }
  return undefined
}

export function decodeTelemetry(
  plant: Plant,
  line: string,
  equipment: string,
  payload: Uint8Array,
  receivedAt: number,
  limits: DecodeLimits,
  /** false: only `values` and `count` (a store that takes a message's readings as they are) */
  wantPoints = true,
): TelemetryResult {
  const rejects: Reject[] = []
  const points: Point[] = []
  const eq = plant.lines.get(line)?.equipment.get(equipment)
  if (!eq) {
    const reason = plant.lines.has(line) ? 'unknown_equipment' : 'unknown_line'
    rejects.push({ reason, detail: reason === 'unknown_line' ? `no line "${line}" in the plant model` : `no equipment "${equipment}" on line "${line}"` })
    return { points, count: 0, rejects }
  }
  const parsed = parseJson(payload, limits)
  if (parsed.reject) return { points, count: 0, rejects: [parsed.reject] }
  const msg = parsed.value
  if (!isPlainObject(msg) || !isPlainObject(msg.values))
    return { points, count: 0, rejects: [{ reason: 'bad_shape', detail: 'expected {"ts": ..., "values": {"sensor": number, ...}}' }] }
  const time = messageTime(msg.ts, receivedAt, limits)
  if (time.reject) return { points, count: 0, rejects: [time.reject] }
  const ts = time.ts!
  let count = 0
  for (const sensorId in msg.values) {
    const value = msg.values[sensorId]
    const bad = checkReading(eq, line, sensorId, value)
    if (bad) rejects.push(bad)
    else {
      count++
      if (wantPoints) points.push({ line, equipment, sensor: sensorId, ts, value: value as number })
    }
  }
  if (count === 0 && rejects.length === 0)
    rejects.push({ reason: 'bad_shape', detail: '"values" holds no readings' })
  // The parsed object serves as it is unless a value in it was rejected.
  let values = msg.values as Record<string, number>
  if (rejects.length) {
    values = {}
    for (const sensorId in msg.values) if (!checkReading(eq, line, sensorId, msg.values[sensorId])) values[sensorId] = msg.values[sensorId] as number
  }
  return { points, count, rejects, ts, values }
}

// Not "." or "..": a coil ID is a path segment of its QR link.
const COIL_ID = /^(?!\.+$)[A-Za-z0-9_.-]{1,64}$/

export function decodeCoilEvent(
  plant: Plant,
  line: string,
  payload: Uint8Array,
  receivedAt: number,
  limits: DecodeLimits,
): { event?: CoilEvent; reject?: Reject } {
  if (!plant.lines.has(line)) return { reject: { reason: 'unknown_line', detail: `no line "${line}" in the plant model` } }
  const parsed = parseJson(payload, limits)
  if (parsed.reject) return { reject: parsed.reject }
  const msg = parsed.value
  if (!isPlainObject(msg)) return { reject: { reason: 'bad_shape', detail: 'expected a JSON object' } }
  const { event, coilId, ts, ...attributes } = msg
  if (event !== 'start' && event !== 'finish')
    return { reject: { reason: 'bad_shape', detail: `"event" must be "start" or "finish", not ${preview(event)}` } }
  if (typeof coilId !== 'string' || !COIL_ID.test(coilId))
    return { reject: { reason: 'bad_shape', detail: '"coilId" must be 1–64 letters, digits, "_", "-" or "."' } }
  const time = messageTime(ts, receivedAt, limits)
  if (time.reject) return { reject: time.reject }
  if (depthExceeds(attributes, MAX_ATTRIBUTE_DEPTH))
    return { reject: { reason: 'bad_shape', detail: `attributes nest deeper than ${MAX_ATTRIBUTE_DEPTH} levels` } }
  return { event: { line, coilId, event, ts: time.ts!, attributes } }
}
