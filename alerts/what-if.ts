// "What if": replay one rule (new or changed) over stored history and list the alarms it
// would have raised, so an engineer sees the alarm load before switching it on (ISA-18.2
// management of change). Pure: the endpoint fetches the history and calls this.
import { ACTIVATED, CLEARED, compileRule, newRuleState, stepRule, type Values } from './evaluate/rule.ts'
import type { Rule } from './rules/types.ts'

export interface Reading {
  readonly ts: number
  readonly values: Values
}

export interface WhatIfAlarm {
  /** When the alarm would have gone active (after the on-delay) and back to normal. */
  readonly start: number
  /** Absent while still active at the end of the history. */
  readonly end?: number
  /** The worst value while active, on the side the limit was crossed. */
  readonly peak?: number
  readonly limit?: number
}

export interface WhatIfResult {
  readonly alarms: readonly WhatIfAlarm[]
  /** Total time in alarm, ms (an alarm still active counts until `until`). */
  readonly activeMs: number
  readonly readings: number
}

export interface WhatIfOptions {
  /** Timer period between readings, as the engine's tick; default 1 s. */
  readonly tickMs?: number
  /** End of the replayed period (default: the last reading): stale data and delays run on to it. */
  readonly until?: number
}

/** Series per sensor (each ts-ordered, as the store returns them) → readings per timestamp. */
export function mergeSeries(series: Readonly<Record<string, readonly { ts: number; value: number }[]>>): Reading[] {
  const byTs = new Map<number, Record<string, number>>()
  for (const [sensor, points] of Object.entries(series))
    for (const p of points) {
      let v = byTs.get(p.ts)
      if (!v) byTs.set(p.ts, (v = {}))
      v[sensor] = p.value
    }
  return [...byTs.entries()].sort((a, b) => a[0] - b[0]).map(([ts, values]) => ({ ts, values }))
}

export function whatIf(rule: Rule, readings: readonly Reading[], options: WhatIfOptions = {}): WhatIfResult {
  const c = compileRule(rule)
  const s = newRuleState(c)
  const tickMs = Math.max(1, options.tickMs ?? 1000)
  const alarms: WhatIfAlarm[] = []
  let open: { start: number; peak?: number; limit?: number; sense: number } | undefined

  const step = (t: number, values: Values | null) => {
    const r = stepRule(c, s, t, values)
    const value = s.value === s.value ? s.value : undefined
    const limit = s.limit === s.limit ? s.limit : undefined
    if (r === ACTIVATED) {
      open = { start: s.clock, peak: value, limit, sense: value === undefined || limit === undefined ? 0 : value >= limit ? 1 : -1 }
    } else if (open && value !== undefined) {
      if (open.peak === undefined || (open.sense > 0 ? value > open.peak : open.sense < 0 ? value < open.peak : false)) open.peak = value
    }
    if (r === CLEARED && open) {
      alarms.push({ start: open.start, end: s.clock, peak: open.peak, limit: open.limit })
      open = undefined
    }
  }
  /** The engine's timer between readings: only when something can change without data. */
  const ticksUntil = (end: number) => {
    for (let t = s.clock + tickMs; t < end; t += tickMs) {
      if (!c.tickSensitive && s.raw === s.active) return
      step(t, null)
    }
  }

  let lastTs = -Infinity
  for (const r of readings) {
    if (r.ts < lastTs) throw new RangeError(`readings must be in time order (${r.ts} after ${lastTs})`)
    if (lastTs > -Infinity) ticksUntil(r.ts)
    step(r.ts, r.values)
    lastTs = r.ts
  }
  const until = options.until ?? lastTs
  if (lastTs > -Infinity && until > lastTs) {
    ticksUntil(until)
    if (s.clock < until) step(until, null)
  }
  const last = open as { start: number; peak?: number; limit?: number } | undefined
  if (last) alarms.push({ start: last.start, peak: last.peak, limit: last.limit })
  const activeMs = alarms.reduce((sum, a) => sum + ((a.end ?? Math.max(until, a.start)) - a.start), 0)
  return { alarms, activeMs, readings: readings.length }
}
