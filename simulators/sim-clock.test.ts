import { describe, expect, it } from 'vitest'
import { SimClock } from './sim-clock.ts'
import { formatDuration, parseDurationMs, parseInstant } from './time.ts'

const NOW = Date.UTC(2026, 10, 25, 8, 0, 0)

/** Drains ticks until the clock waits or is done. */
function drain(c: SimClock, wall: number, now = NOW) {
  const ticks: number[] = []
  for (;;) {
    const s = c.next(wall, now)
    if (s.kind !== 'tick') return { ticks, stop: s }
    ticks.push(s.t)
    c.advance()
  }
}

describe('the simulated clock', () => {
  it('paces live ticks by wall time × speed on a grid of whole periods', () => {
    const c = new SimClock({ rateHz: 10, speed: 10, nowMs: NOW + 37 })
    expect(c.startMs).toBe(NOW)
    expect(drain(c, 1000).ticks).toEqual([NOW])
    const { ticks, stop } = drain(c, 1050) // 50 ms of wall time at 10× = 500 ms simulated
    expect(ticks).toEqual([100, 200, 300, 400, 500].map((d) => NOW + d))
    expect(stop).toEqual({ kind: 'wait', ms: 10 })
  })

  it('backfills a window as fast as asked, then stops or follows live', () => {
    const from = NOW - 3000
    const c = new SimClock({ rateHz: 1, speed: 1, nowMs: NOW, fromMs: from })
    expect(c.mode).toBe('backfill')
    const first = drain(c, 0)
    expect(first.ticks).toEqual([0, 1000, 2000, 3000].map((d) => from + d))
    expect(first.stop).toEqual({ kind: 'done' })
    expect(c.progress(NOW)).toBe(1)

    const f = new SimClock({ rateHz: 1, speed: 1, nowMs: NOW, fromMs: from, follow: true })
    expect(drain(f, 0).ticks).toHaveLength(4)
    expect(f.mode).toBe('live')
    expect(drain(f, 1000).ticks).toEqual([NOW + 1000])
  })

  it('stops after the duration', () => {
    const c = new SimClock({ rateHz: 10, speed: 1000, nowMs: NOW, durationMs: 1000 })
    expect(drain(c, 0).ticks).toHaveLength(1)
    const { ticks, stop } = drain(c, 10_000)
    expect(ticks).toHaveLength(9)
    expect(stop).toEqual({ kind: 'done' })
  })

  it('refuses an empty window or a speed of zero', () => {
    expect(() => new SimClock({ rateHz: 10, speed: 1, nowMs: NOW, fromMs: NOW + 1 })).toThrow(/empty/)
    expect(() => new SimClock({ rateHz: 10, speed: 0, nowMs: NOW })).toThrow(/speed/)
  })
})

describe('times on the command line', () => {
  it('reads durations and instants', () => {
    expect(parseDurationMs('1h30m')).toBe(5_400_000)
    expect(parseDurationMs('250ms')).toBe(250)
    expect(parseDurationMs('90')).toBeUndefined()
    expect(parseDurationMs('5 m')).toBeUndefined()
    expect(parseInstant('-2h', NOW)).toBe(NOW - 7_200_000)
    expect(parseInstant('2026-11-25T08:00:00Z', 0)).toBe(NOW)
    expect(parseInstant('now', NOW)).toBe(NOW)
    expect(parseInstant('yesterday', NOW)).toBeUndefined()
    expect(formatDuration(75_000)).toBe('1m15s')
  })
})
