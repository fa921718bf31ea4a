// The coils part over a real DuckDB store, fed through real ingest: coil events become records
// with crew and shift, `finish` computes the process summary from the stored telemetry (a
// known thickness excursion must show in the numbers), QA actions keep history, splits make
// a genealogy that walks both ways.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../core/config.ts'
import { createRegistry } from '../core/metrics.ts'
import { shiftAt } from '../core/shifts.ts'
import { startIngest, type Ingest } from '../ingest/index.ts'
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/index.ts'
import { openCoilRecords } from '../store/duckdb/records-coils.ts'
import { isFailure } from './gs1.ts'
import { startCoils, type CoilService } from './service.ts'

const config = loadConfig({})
const log = pino({ level: 'silent' })
const t0 = Math.floor((Date.now() - 30 * 60_000) / 1000) * 1000
let store: DuckDbStore
let ingest: Ingest
let coils: CoilService

const send = (topic: string, msg: object) => ingest.accept(topic, Buffer.from(JSON.stringify(msg)))

/** 60 s of a coil at 10 Hz: 500 µm except 10 s at 560 µm (above ±50 µm), strip at 10 m/s. */
async function rollCoil(id: string, start: number) {
  await send('plant/tcm1/coil', { event: 'start', coilId: id, ts: start, parentId: 'HB1', heat: 'H2511', grade: 'SPCC', entryThickness_mm: 2.5, targetThickness_mm: 0.5, width_mm: 1250, weight_t: 20 })
  const writes: (Promise<void> | undefined)[] = []
  for (let i = 0; i < 600; i++) {
    const ts = start + i * 100
    const excursion = i >= 300 && i < 400
    writes.push(send('plant/tcm1/exit/telemetry', { ts, values: { thickness_um: excursion ? 560 : 500, strip_speed_mps: 10 } }))
    if (i % 10 === 0) writes.push(send('plant/tcm1/stand1/telemetry', { ts, values: { roll_force_kN: 10_000 + (i === 300 ? 500 : 0), vibration_mm_s: i === 300 ? 5 : 1.5 } }))
  }
  await Promise.all(writes)
  await send('plant/tcm1/coil', { event: 'finish', coilId: id, ts: start + 60_000, weight_t: 19.8 })
}

beforeAll(async () => {
  store = await openDuckDbStore({ dir: mkdtempSync(join(tmpdir(), 'mw-coilsvc-')), log })
  ingest = startIngest({ plant: config.plant, settings: config.ingest, log, timeseries: store.timeseries, records: store.records, metrics: createRegistry() })
  coils = await startCoils(
    { plant: config.plant, people: config.people, products: config.products, publicUrl: 'https://mill.example', log, timeseries: store.timeseries, records: store.records, coils: await openCoilRecords(store.sql) },
    { pollMs: 0, settleMs: 0 },
  )
})
afterAll(async () => {
  await coils?.close()
  await store?.close()
})

describe('coils service', () => {
  it('turns stored coil events into a record and computes how it was rolled', async () => {
    await rollCoil('C1', t0)
    expect(ingest.stats().deadLetters).toBe(0)
    expect(await coils.poll()).toBe(2)
    expect(await coils.poll()).toBe(0) // nothing new: events are applied once
    // the summary runs in the background after finish
    let stored = await coils.get('C1')
    for (let i = 0; i < 100 && !stored?.summary; i++) (await new Promise((r) => setTimeout(r, 20)), (stored = await coils.get('C1')))
    const { record, summary } = stored!
    const slot = shiftAt(t0, config.people.file, config.plant.timezone)
    expect(record).toMatchObject({
      id: 'C1', line: 'tcm1', status: 'finished', hotBandId: 'HB1', heat: 'H2511', grade: 'SPCC', targetThickness_mm: 0.5, width_mm: 1250,
      weight_t: 19.8, startedAt: t0, finishedAt: t0 + 60_000, shift: slot.shiftId, crew: slot.crew, measuredThickness_mm: 0.51, length_m: 599,
    })
    const th = summary!.thickness!
    expect(th.samples).toBe(600)
    expect(th.tolerance_um).toBe(50) // SPCC → EN10131-normal, 0.5 mm target → ±50 µm
    expect(th.mean_um).toBeCloseTo(510, 6) // (50 × 500 + 10 × 560) / 60
    expect(th.max_um).toBe(560)
    expect(th.inToleranceShare).toBeCloseTo(5 / 6, 6)
    expect(th.aboveShare).toBeCloseTo(1 / 6, 6)
    const sd = Math.sqrt((5 / 6) * 10 ** 2 + (1 / 6) * 50 ** 2)
    expect(th.stdDev_um).toBeCloseTo(sd, 6)
    expect(th.cpk).toBeCloseTo((550 - 510) / (3 * sd), 6)
    const s1 = summary!.stands.find((s) => s.id === 'stand1')!
    expect(s1.rollForce_kN!.max).toBe(10_500)
    expect(s1.rollForce_kN!.mean).toBeCloseTo(10_000 + 500 / 60, 6)
    expect(s1.vibration).toMatchObject({ peak_mm_s: 5, zone: 'C', peakAt: t0 + 30_000 })
    expect(await coils.history('C1')).toMatchObject([{ status: 'finished', from: 'rolling' }, { status: 'rolling' }])
  })

  it('holds, releases and inspects with history; refuses what the status rules forbid', async () => {
    expect(await coils.setStatus('C1', 'hold', { by: 'qa1' })).toEqual({ error: 'a reason is needed to set a coil to hold' })
    expect(await coils.setStatus('C1', 'hold', { by: 'qa1' }, 'edge crack')).toMatchObject({ status: 'hold', statusChange: { by: 'qa1', reason: 'edge crack' } })
    expect(await coils.setStatus('C1', 'shipped', { by: 'qa1' })).toMatchObject({ error: expect.stringMatching(/cannot become shipped/) })
    expect(await coils.setStatus('nope', 'hold', { by: 'qa1' }, 'x')).toBeUndefined()
    const i = await coils.inspect('C1', { defect: 'edge crack', severity: 'major', position_m: 120 }, { by: 'qa1' })
    expect((await coils.inspections('C1'))[0]).toEqual(i)
    expect(await coils.setStatus('C1', 'released', { by: 'qa1' })).toMatchObject({ status: 'released' })
    expect((await coils.history('C1')).map((h) => h.status)).toEqual(['released', 'hold', 'finished', 'rolling'])
    // a late repeat of the finish event cannot undo QA's decision
    await coils.applyEvent({ line: 'tcm1', coilId: 'C1', event: 'finish', ts: t0 + 60_000, attributes: {} })
    expect((await coils.get('C1'))!.record.status).toBe('released')
  })

  it('splits a coil: children inherit heat and grade, genealogy walks both ways', async () => {
    const r = await coils.split('C1', [{ id: 'C1-A', width_mm: 600 }, { id: 'C1-B', width_mm: 600 }], { by: 'qa1' })
    if (!r || isFailure(r)) throw new Error(JSON.stringify(r))
    expect(r.children.map((c) => [c.id, c.heat, c.grade, c.splitFrom])).toEqual([['C1-A', 'H2511', 'SPCC', 'C1'], ['C1-B', 'H2511', 'SPCC', 'C1']])
    expect(await coils.split('C1', [{ id: 'C1-C' }], { by: 'qa1' })).toMatchObject({ error: expect.stringMatching(/already split/) })
    const r2 = await coils.split('C1-B', [{ id: 'C1-B1', length_m: 200 }, { id: 'C1-B2', length_m: 300 }], { by: 'qa1' })
    expect(r2 && !isFailure(r2)).toBe(true)
    const down = await coils.genealogy('C1')
    expect(down!.descendants.map((c) => c.id)).toEqual(['C1-A', 'C1-B', 'C1-B1', 'C1-B2'])
    const up = await coils.genealogy('C1-B2')
    expect(up!.ancestors.map((c) => c.id)).toEqual(['C1-B', 'C1'])
    expect((await coils.get('C1'))!.record.children).toEqual(['C1-A', 'C1-B'])
    expect(await coils.genealogy('nope')).toBeUndefined()
  })

  it('registers and corrects coils over the API shape, with a QR URL per product', async () => {
    const made = await coils.register({ id: 'L3-1', line: 'tcm1', startedAt: t0, finishedAt: t0 + 1000, attributes: { grade: 'SPCD', heat: 'H9', weight_t: 5 } }, { by: 'token:l3' })
    expect(made).toMatchObject({ created: true, record: { status: 'finished', grade: 'SPCD' } })
    const fixed = await coils.register({ id: 'L3-1', line: 'tcm1', attributes: { weight_t: 5.2 } }, { by: 'token:l3' })
    expect(fixed).toMatchObject({ created: false, record: { weight_t: 5.2, grade: 'SPCD' } })
    expect(await coils.register({ id: '..', line: 'tcm1', attributes: {} }, { by: 'x' })).toMatchObject({ error: expect.any(String) })
    expect(coils.qrUrl((await coils.get('L3-1'))!.record)).toBe('https://mill.example/c/L3-1')
    expect(coils.qrUrl((await coils.get('C1'))!.record)).toBe('https://mill.example/01/09506000100012/10/H2511/21/C1')
  })
})
