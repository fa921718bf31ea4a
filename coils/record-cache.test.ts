// The scan cache over a real DuckDB file: repeated reads are served from memory, every change
// made through it is visible at once, a read racing a write never caches the old answer, and
// the cache stays within its bound.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/index.ts'
import { openCoilRecords } from '../store/duckdb/records-coils.ts'
import type { CoilRecords } from '../store/types.ts'
import type { CoilRecord } from './model.ts'
import { cachedCoilRecords } from './record-cache.ts'

const t0 = Date.parse('2026-11-25T02:00:00Z')
const coil = (id: string, over: Partial<CoilRecord> = {}): CoilRecord => ({ id, line: 'tcm1', status: 'finished', grade: 'SPCC', startedAt: t0, finishedAt: t0 + 60_000, children: [], suspectAlarms: [], extra: {}, ...over })
let store: DuckDbStore
let raw: CoilRecords

beforeAll(async () => {
  store = await openDuckDbStore({ dir: mkdtempSync(join(tmpdir(), 'mw-coilcache-')), log: pino({ level: 'silent' }), maintenanceIntervalMs: 0 })
  raw = await openCoilRecords(store.sql)
})
afterAll(() => store?.close())

it('serves repeated scans from memory and shows every change made through it at once', async () => {
  const cache = cachedCoilRecords(raw, { size: 10 })
  await cache.upsert([{ record: coil('K1') }])
  expect((await cache.detail('K1'))!.record.status).toBe('finished')
  expect((await cache.get('K1', { summary: false }))!.record.id).toBe('K1')
  const before = cache.stats()
  for (let i = 0; i < 5; i++) await cache.detail('K1')
  expect(cache.stats().hits - before.hits).toBe(5)

  await cache.upsert([{ record: coil('K1', { status: 'hold' }) }])
  expect((await cache.detail('K1'))!.record.status).toBe('hold')
  expect((await cache.get('K1', { summary: false }))!.record.status).toBe('hold')
  await cache.addInspection({ id: 'i1', coilId: 'K1', at: t0 + 1, inspector: 'qa', defect: 'edge crack', severity: 'major' })
  await cache.addHistory({ coilId: 'K1', at: t0 + 2, status: 'hold', from: 'finished', by: 'qa' })
  const d = (await cache.detail('K1'))!
  expect(d.inspections.map((i) => i.defect)).toEqual(['edge crack'])
  expect(d.history.map((h) => h.status)).toEqual(['hold'])

  // An unknown coil, then registered: found at once.
  expect(await cache.detail('K2')).toBeUndefined()
  await cache.upsert([{ record: coil('K2') }])
  expect((await cache.detail('K2'))!.record.id).toBe('K2')
})

it('does not cache a read that a write overtook, and keeps within its size', async () => {
  const cache = cachedCoilRecords(raw, { size: 3 })
  await cache.upsert([{ record: coil('R1') }])
  const reading = cache.detail('R1') // starts before the write below and may end after it
  const writing = cache.upsert([{ record: coil('R1', { status: 'released' }) }])
  await Promise.all([reading, writing])
  expect((await cache.detail('R1'))!.record.status).toBe('released')

  for (const id of ['R2', 'R3', 'R4', 'R5']) await cache.upsert([{ record: coil(id) }])
  for (const id of ['R1', 'R2', 'R3', 'R4', 'R5']) await cache.detail(id)
  expect(cache.stats().size).toBe(3)
  const misses = cache.stats().misses
  await cache.detail('R1') // the least recently used was dropped
  expect(cache.stats().misses).toBe(misses + 1)
})

it('lists inspections and history newest first from the one-query detail', async () => {
  await raw.upsert([{ record: coil('H1') }])
  for (const [at, status] of [[t0 + 5, 'hold'], [t0 + 1, 'rolling'], [t0 + 3, 'finished']] as const) await raw.addHistory({ coilId: 'H1', at, status })
  await raw.addInspection({ id: 'a', coilId: 'H1', at: t0 + 2, inspector: 'qa', defect: 'scratch', severity: 'minor' })
  await raw.addInspection({ id: 'b', coilId: 'H1', at: t0 + 2, inspector: 'qa', defect: 'dent', severity: 'minor' }) // same time: later row first
  const d = (await raw.detail('H1'))!
  expect(d.history.map((h) => h.status)).toEqual(['hold', 'finished', 'rolling'])
  expect(d.inspections.map((i) => i.id)).toEqual(['b', 'a'])
  expect(await raw.detail('nosuch')).toBeUndefined()
})
