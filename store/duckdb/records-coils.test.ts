// The coil records over a real DuckDB file: upsert and read back, list filters, genealogy both
// ways, inspections and status history, and that records survive closing and reopening.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import type { CoilRecord } from '../../coils/model.ts'
import { openDuckDbStore } from './index.ts'
import { openCoilRecords } from './records-coils.ts'

const log = pino({ level: 'silent' })
const t0 = Date.parse('2026-11-25T02:00:00Z')
const coil = (id: string, over: Partial<CoilRecord> = {}): CoilRecord => ({
  id, line: 'tcm1', status: 'finished', grade: 'SPCC', heat: 'H1', startedAt: t0, finishedAt: t0 + 60_000, children: [], suspectAlarms: [], extra: {}, ...over,
})

describe('coil records (DuckDB)', () => {
  it('stores records with summaries, lists, walks genealogy, keeps inspections and history, survives a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-coils-'))
    let store = await openDuckDbStore({ dir, log })
    try {
      const coils = await openCoilRecords(store.sql)
      const summary = { from: t0, to: t0 + 60_000, length_m: 1200, stands: [], sensors: [], zones: { AB: 2.3, BC: 4.5, CD: 7.1 }, alarms: [] }
      await coils.upsert([
        { record: coil('A1', { children: ['A1-1', 'A1-2'], extra: { note: '轧机' } }), summary },
        { record: coil('A1-1', { splitFrom: 'A1', startedAt: t0 + 1 }) },
        { record: coil('A1-2', { splitFrom: 'A1', status: 'hold', startedAt: t0 + 2, children: ['A1-2-a'] }) },
        { record: coil('A1-2-a', { splitFrom: 'A1-2', status: 'hold', startedAt: t0 + 3 }) },
        { record: coil('B1', { status: 'rolling', startedAt: t0 + 3_600_000, finishedAt: undefined }) },
      ])
      expect(await coils.get('A1')).toEqual({ record: coil('A1', { children: ['A1-1', 'A1-2'], extra: { note: '轧机' } }), summary })
      expect(await coils.get('nope')).toBeUndefined()
      expect((await coils.list({})).map((c) => c.id)).toEqual(['B1', 'A1-2-a', 'A1-2', 'A1-1', 'A1'])
      expect((await coils.list({ status: 'hold' })).map((c) => c.id)).toEqual(['A1-2-a', 'A1-2'])
      expect((await coils.list({ from: t0, to: t0 + 2, limit: 5 })).map((c) => c.id)).toEqual(['A1-1', 'A1'])
      expect((await coils.list({ limit: 1 })).map((c) => c.id)).toEqual(['B1'])
      expect((await coils.children('A1')).map((c) => c.id)).toEqual(['A1-1', 'A1-2'])
      expect((await coils.ancestors('A1-2-a')).map((c) => c.id)).toEqual(['A1-2', 'A1'])
      expect(await coils.ancestors('A1')).toEqual([])

      // replace: the newer record wins, the summary goes with it
      await coils.upsert([{ record: coil('B1', { status: 'finished', finishedAt: t0 + 3_700_000 }) }])
      expect((await coils.get('B1'))?.record.status).toBe('finished')

      await coils.addInspection({ id: 'i1', coilId: 'A1', at: t0 + 10, inspector: 'qa1', defect: 'edge crack', position_m: 12.5, severity: 'major' })
      await coils.addInspection({ id: 'i2', coilId: 'A1', at: t0 + 20, inspector: 'qa1', defect: 'scratch', severity: 'minor', note: 'light' })
      expect((await coils.inspections('A1')).map((i) => i.id)).toEqual(['i2', 'i1'])
      await coils.addHistory({ coilId: 'A1', at: t0 + 30, status: 'hold', from: 'finished', by: 'qa1', reason: 'edge crack' })
      expect(await coils.history('A1')).toEqual([{ coilId: 'A1', at: t0 + 30, status: 'hold', from: 'finished', by: 'qa1', reason: 'edge crack' }])

      // many at once: several statements
      await coils.upsert(Array.from({ length: 1200 }, (_, i) => ({ record: coil(`M${i}`, { startedAt: t0 - i }) })))
      expect(await coils.count()).toBe(1205)
    } finally {
      await store.close()
    }
    store = await openDuckDbStore({ dir, log })
    try {
      const coils = await openCoilRecords(store.sql)
      expect((await coils.get('A1-2'))?.record.status).toBe('hold')
      expect(await coils.inspections('A1')).toHaveLength(2)
    } finally {
      await store.close()
    }
  })
})
