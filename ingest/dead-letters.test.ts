import { describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { DeadLetters } from './dead-letters.ts'

function memoryLogger() {
  const lines: Record<string, unknown>[] = []
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) })
  return { log, lines }
}

describe('DeadLetters', () => {
  it('keeps the newest letters, newest first, up to its capacity', () => {
    const { log } = memoryLogger()
    const d = new DeadLetters(3, log)
    for (let i = 1; i <= 5; i++) d.add(`t/${i}`, Buffer.from(`p${i}`), [{ reason: 'malformed_json', detail: 'x' }], i)
    expect(d.list().map((l) => l.topic)).toEqual(['t/5', 't/4', 't/3'])
    expect(d.list(1)[0]).toMatchObject({ payload: 'p5', payloadBytes: 2, receivedAt: new Date(5).toISOString() })
  })

  it('cuts stored payloads to 1 KiB but remembers their size', () => {
    const d = new DeadLetters(2, memoryLogger().log)
    d.add('t', Buffer.alloc(5000, 'a'), [{ reason: 'oversized', detail: 'x' }], 0)
    expect(d.list()[0].payload).toHaveLength(1024)
    expect(d.list()[0].payloadBytes).toBe(5000)
  })

  it('logs a flood of one reason once per 10 s, with the count it held back', () => {
    const { log, lines } = memoryLogger()
    let now = 0
    const d = new DeadLetters(10, log, () => now)
    for (let i = 0; i < 100; i++) d.add('t', Buffer.from('x'), [{ reason: 'malformed_json', detail: 'x' }], now)
    d.add('t', Buffer.from('x'), [{ reason: 'unknown_sensor', detail: 'x' }], now)
    now = 10_001
    d.add('t', Buffer.from('x'), [{ reason: 'malformed_json', detail: 'x' }], now)
    expect(lines.map((l) => [l.reason, l.suppressedSinceLast])).toEqual([
      ['malformed_json', 0],
      ['unknown_sensor', 0],
      ['malformed_json', 99],
    ])
  })
})
