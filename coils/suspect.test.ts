// The suspect-coil watcher's bookkeeping: a slow store must not make its queue of checks grow.
// (test/coils-suspect.test.ts runs it against the real store and coil records.)
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { startSuspectMarking } from './suspect.ts'

const change = (alarmId: string, action: 'activate' | 'clear', at: number) => ({
  alarm: {},
  transition: { alarmId, action, at, line: 'tcm1', priority: 'high' },
})

describe('suspect coil marking', () => {
  it('queues one re-check per open alarm while the store is slow, not one per tick', async () => {
    let release!: () => void
    const blocked = new Promise<void>((r) => (release = r))
    const calls: string[] = []
    const coils = {
      async onMill(q: { line: string; from: number; to: number }) {
        calls.push(`${q.line}:${q.from}`)
        await blocked // the store is busy
        return []
      },
      async markSuspect() {},
    }
    const w = startSuspectMarking({ coils: coils as never, priorities: ['high', 'critical'], log: pino({ level: 'silent' }), recheckMs: 2 })
    w.observe(['a1', 'a2', 'a3'].map((id) => change(id, 'activate', Date.now())) as never)
    await new Promise((r) => setTimeout(r, 300)) // ~150 re-check ticks while the first check hangs
    release()
    await w.settled()
    await w.close()
    // the 3 activations' checks, then at most one re-check per alarm queued behind them
    expect(calls.length).toBeLessThanOrEqual(3 + 3 + 3)
    expect(calls.length).toBeGreaterThanOrEqual(3)
  })
})
