// Readings as InfluxDB line protocol, one measurement for all telemetry:
//   telemetry,equipment=stand1,line=tcm1,sensor=speed_mps value=12.5 1764000000000
// Tags identify the series (sorted by key, as InfluxDB recommends for fast parsing), the one
// field `value` is always a float (a number without the `i` suffix), timestamps are epoch ms
// (`precision=ms`). A series and timestamp identify a point: InfluxDB keeps the last write
// of a (series, timestamp), so a QoS 1 resend overwrites its first copy instead of adding one.
import { errors } from '../../core/errors.ts'
import type { Point } from '../../core/payloads.ts'

export const MEASUREMENT = 'telemetry'

/**
 * InfluxDB stores int64 nanoseconds since the epoch: about 1677-09-21 to 2262-04-11.
 * Its smallest and largest valid instants, in whole milliseconds.
 */
export const MIN_TS = -9_223_372_036_854
export const MAX_TS = 9_223_372_036_854

/** Line protocol tag values escape commas, equals signs and spaces with a backslash. */
function tag(v: string): string {
  return /[,= \\]/.test(v) ? v.replace(/[\\,= ]/g, (c) => `\\${c}`) : v
}

function badPoint(p: Point, why: string): Error {
  return errors.badRequest(`invalid point ${p.line}/${p.equipment}/${p.sensor}: ${why}`)
}

/**
 * Checks what InfluxDB would refuse (and so could fail a whole batch, or be kept in the spool
 * for ever): empty or multi-line tags, values that are not finite, timestamps out of range.
 */
export function checkPoint(p: Point): Error | undefined {
  for (const k of ['line', 'equipment', 'sensor'] as const) {
    const v = p[k]
    if (typeof v !== 'string' || v === '' || /[\n\r]/.test(v) || v.endsWith('\\')) return badPoint(p, `${k} must be a non-empty one-line name`)
  }
  if (typeof p.value !== 'number' || !Number.isFinite(p.value)) return badPoint(p, 'value must be a finite number')
  if (typeof p.ts !== 'number' || !(p.ts >= MIN_TS && p.ts <= MAX_TS)) return badPoint(p, 'ts must be epoch ms between 1677 and 2262')
  return undefined
}

/** The points as one line protocol body (lines joined by newlines). Call checkPoint first. */
export function toLines(points: readonly Point[]): string {
  let out = ''
  for (let i = 0; i < points.length; i++) {
    const p = points[i]
    // String(number) gives the shortest text that reads back as the same float (1e-9, 1e+21):
    // InfluxDB parses it exactly, so values survive the round trip bit for bit.
    out += `${i ? '\n' : ''}${MEASUREMENT},equipment=${tag(p.equipment)},line=${tag(p.line)},sensor=${tag(p.sensor)} value=${String(p.value)} ${Math.floor(p.ts)}`
  }
  return out
}
