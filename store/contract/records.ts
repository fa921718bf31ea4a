// The contract every RecordsStore implementation passes: call describeRecordsContract from
// the implementation's test file. Each test uses a line of its own, so one store serves all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CoilEvent } from '../../core/payloads.ts'
import type { RecordsStore } from '../types.ts'

export interface RecordsHarness {
  store: RecordsStore
  close(): Promise<void>
}

const T0 = 1_764_000_000_000

export function describeRecordsContract(name: string, factory: () => Promise<RecordsHarness>): void {
  describe(`RecordsStore contract: ${name}`, () => {
    let h: RecordsHarness
    let store: RecordsStore
    let seq = 0
    const run = Math.random().toString(36).slice(2, 8)
    const newLine = () => `contract-${run}-${++seq}`
    const ev = (line: string, coilId: string, event: CoilEvent['event'], ts: number, attributes: Record<string, unknown> = {}): CoilEvent =>
      ({ line, coilId, event, ts, attributes })

    beforeAll(async () => {
      h = await factory()
      store = h.store
    })
    afterAll(async () => h?.close())

    it('keeps the audit log: newest first, filtered by actor, action and time, details intact', async () => {
      const actor = `person-${run}`
      await store.appendAudit({ ts: T0, actor, action: 'alarm.ack', target: 'A1', from: '10.0.0.7', details: { note: '已确认', n: 2 } })
      await store.appendAudit({ ts: T0 + 1000, actor, action: 'coil.hold', target: 'C9' })
      await store.appendAudit({ ts: T0 + 2000, actor: `${actor}-other`, action: 'alarm.ack', target: 'A2' })
      expect(await store.audit({ actor })).toEqual([
        { ts: T0 + 1000, actor, action: 'coil.hold', target: 'C9' },
        { ts: T0, actor, action: 'alarm.ack', target: 'A1', from: '10.0.0.7', details: { note: '已确认', n: 2 } },
      ])
      expect((await store.audit({ actor, action: 'alarm.ack' })).map((e) => e.target)).toEqual(['A1'])
      expect((await store.audit({ actor, from: T0 + 500, to: T0 + 5000 })).map((e) => e.target)).toEqual(['C9'])
      expect(await store.audit({ actor, limit: 1 })).toHaveLength(1)
      await expect(store.appendAudit({ ts: Number.NaN, actor, action: 'x' })).rejects.toThrow()
    })

    it('returns appended coil events newest first, attributes intact', async () => {
      const line = newLine()
      const attributes = { grade: 'SPCC', heat: 'H24-0917', entryThickness_mm: 2.75, targetThickness_mm: 0.5, note: '冷轧 五机架', nested: { ok: true, list: [1, 2] } }
      await store.appendCoilEvents([ev(line, 'C1', 'start', T0, attributes)])
      await store.appendCoilEvents([ev(line, 'C1', 'finish', T0 + 300_000, { weight_t: 21.4 })])
      expect(await store.coilEvents({ coilId: 'C1', line })).toEqual([
        ev(line, 'C1', 'finish', T0 + 300_000, { weight_t: 21.4 }),
        ev(line, 'C1', 'start', T0, attributes),
      ])
    })

    it('filters by line, coil, [from, to) and limit', async () => {
      const line = newLine()
      const other = `${line}-b`
      await store.appendCoilEvents([
        ev(line, 'A', 'start', T0), ev(line, 'A', 'finish', T0 + 1000),
        ev(line, 'B', 'start', T0 + 2000), ev(line, 'B', 'finish', T0 + 3000),
        ev(other, 'C', 'start', T0 + 4000),
      ])
      const ids = (l: CoilEvent[]) => l.map((e) => `${e.coilId}:${e.event}`)
      expect(ids(await store.coilEvents({ line }))).toEqual(['B:finish', 'B:start', 'A:finish', 'A:start'])
      expect(ids(await store.coilEvents({ line, coilId: 'A' }))).toEqual(['A:finish', 'A:start'])
      expect(ids(await store.coilEvents({ line, from: T0 + 1000, to: T0 + 3000 }))).toEqual(['B:start', 'A:finish'])
      expect(ids(await store.coilEvents({ line, limit: 1 }))).toEqual(['B:finish'])
      expect(ids(await store.coilEvents({ line: other }))).toEqual(['C:start'])
    })

    it('returns a resent event once', async () => {
      const line = newLine()
      const e = ev(line, 'R1', 'start', T0, { grade: 'DC04' })
      await store.appendCoilEvents([e])
      await store.appendCoilEvents([e, e])
      expect(await store.coilEvents({ line })).toEqual([e])
    })

    it('answers unknown coils with [] and accepts empty appends', async () => {
      await store.appendCoilEvents([])
      expect(await store.coilEvents({ coilId: `none-${run}` })).toEqual([])
    })

    it('makes events queryable as soon as the append resolves, also when many run at once', async () => {
      const line = newLine()
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.appendCoilEvents([ev(line, `K${i}`, 'start', T0 + i)])))
      const got = await store.coilEvents({ line, limit: 100 })
      expect(got).toHaveLength(50)
      expect(got[0].coilId).toBe('K49')
    })
  })
}
