// Query-string parsing shared by the API routes: times, durations, limits. Every failure is a
// 400 that names the parameter and says what was expected.
import { parseDuration } from '../core/duration.ts'
import { errors } from '../core/errors.ts'
import { parseTimestamp } from '../core/time.ts'

export function timeParam(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback
  const ms = parseTimestamp(v)
  if (ms === undefined) throw errors.badRequest(`${name}: "${v.slice(0, 40)}" is not a time (epoch ms or ISO 8601, e.g. 2025-11-24T10:00:00Z)`)
  return ms
}

export function timeRange(q: { from?: string; to?: string }, now: number, defaultSpanMs: number): { from: number; to: number } {
  const to = timeParam('to', q.to, now)
  const from = timeParam('from', q.from, to - defaultSpanMs)
  if (from >= to) throw errors.badRequest('from must be before to')
  return { from, to }
}

export function stepParam(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined
  const ms = parseDuration(v)
  if (ms === undefined || ms < 100) throw errors.badRequest(`step: "${v.slice(0, 20)}" is not a duration of at least 100ms (e.g. 10s, 1m, 1h)`)
  return ms
}

export function intParam(name: string, v: string | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined || v === '') return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) throw errors.badRequest(`${name}: must be an integer from ${min} to ${max}`)
  return n
}
