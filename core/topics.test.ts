import { describe, expect, it } from 'vitest'
import { parseTopic, rememberedTopics } from './topics.ts'

describe('parseTopic', () => {
  it('names telemetry, coil and alarm topics and nothing else', () => {
    expect(parseTopic('plant/tcm1/stand3/telemetry')).toEqual({ kind: 'telemetry', line: 'tcm1', equipment: 'stand3' })
    expect(parseTopic('plant/tcm1/coil')).toEqual({ kind: 'coil', line: 'tcm1' })
    expect(parseTopic('plant/tcm1/stand3/alarm')).toEqual({ kind: 'alarm', line: 'tcm1', equipment: 'stand3' })
    for (const other of ['plant//stand3/telemetry', 'plant/tcm1/stand3/telemetry/x', 'plantx/tcm1/coil', 'plant/tcm1/stand3/status', 'plant/tcm1/', ''])
      expect(parseTopic(other)).toEqual({ kind: 'other' })
  })

  it('gives the same answer the second time, and a client inventing topics cannot grow its memory without bound', () => {
    const first = parseTopic('plant/tcm2/exit/telemetry')
    expect(parseTopic('plant/tcm2/exit/telemetry')).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
    for (let i = 0; i < 50_000; i++) parseTopic(`plant/tcm1/junk${i}/telemetry`)
    expect(rememberedTopics()).toBeLessThanOrEqual(20_000)
    expect(parseTopic('plant/tcm1/junk49999/telemetry')).toEqual({ kind: 'telemetry', line: 'tcm1', equipment: 'junk49999' })
    expect(parseTopic('plant/tcm2/exit/telemetry')).toEqual(first)
  })
})
