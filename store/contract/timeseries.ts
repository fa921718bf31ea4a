// The contract every TimeSeriesStore implementation passes (after aedes-persistence's
// abstract tests): call describeTimeSeriesContract from the implementation's test file.
// The store must keep data forever (no retention) while the suite runs; each test writes
// under a line of its own, so one store serves the whole suite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Point } from '../../core/payloads.ts'
import type { Bucket, TimeSeriesStore } from '../types.ts'
import { bucketsOf, shuffle } from './expect.ts'

export interface TimeSeriesHarness {
  store: TimeSeriesStore
  close(): Promise<void>
  /** Runs rollups/compaction now, if the implementation has any (results must not change). */
  maintain?(): Promise<void>
}

/** 2025-11-24T16:00:00Z: a whole hour, in the past. */
export const T0 = 1_764_000_000_000

export function describeTimeSeriesContract(name: string, factory: () => Promise<TimeSeriesHarness>): void {
  describe(`TimeSeriesStore contract: ${name}`, () => {
    let h: TimeSeriesHarness
    let store: TimeSeriesStore
    let seq = 0
    const run = Math.random().toString(36).slice(2, 8)
    const newLine = () => `contract-${run}-${++seq}`
    const pts = (line: string, equipment: string, sensor: string, rows: Array<[number, number]>): Point[] =>
      rows.map(([ts, value]) => ({ line, equipment, sensor, ts, value }))
    const maintain = async () => h.maintain?.()

    beforeAll(async () => {
      h = await factory()
      store = h.store
    })
    afterAll(async () => h?.close())

    describe('write and range', () => {
      it('returns raw points in [from, to), oldest first, even when written out of order', async () => {
        const line = newLine()
        await store.write(shuffle(pts(line, 'stand1', 'speed_mps', Array.from({ length: 10 }, (_, i) => [T0 + i * 1000, i * 1.5]))))
        const got = await store.range({ line, equipment: 'stand1', sensor: 'speed_mps', from: T0 + 2000, to: T0 + 5000 })
        expect(got).toEqual([{ ts: T0 + 2000, value: 3 }, { ts: T0 + 3000, value: 4.5 }, { ts: T0 + 4000, value: 6 }])
      })

      it('applies the limit to the oldest points', async () => {
        const line = newLine()
        await store.write(pts(line, 'stand1', 'v', Array.from({ length: 10 }, (_, i) => [T0 + i, i])))
        const got = await store.range({ line, equipment: 'stand1', sensor: 'v', from: T0, to: T0 + 10, limit: 3 })
        expect(got.map((p) => p.ts)).toEqual([T0, T0 + 1, T0 + 2])
      })

      it('keeps values exactly and series apart', async () => {
        const line = newLine()
        const values = [0, -273.15, 1e-9, 123456789.123, Number.MAX_SAFE_INTEGER]
        await store.write([
          ...pts(line, 'stand1', 'a', values.map((v, i) => [T0 + i, v])),
          ...pts(line, 'stand1', 'b', [[T0, 42]]),
          ...pts(line, 'stand2', 'a', [[T0, 43]]),
        ])
        const q = { line, from: T0, to: T0 + 100 }
        expect((await store.range({ ...q, equipment: 'stand1', sensor: 'a' })).map((p) => p.value)).toEqual(values)
        expect(await store.range({ ...q, equipment: 'stand1', sensor: 'b' })).toEqual([{ ts: T0, value: 42 }])
        expect(await store.range({ ...q, equipment: 'stand2', sensor: 'a' })).toEqual([{ ts: T0, value: 43 }])
      })

      it('makes points queryable as soon as write() resolves', async () => {
        const line = newLine()
        for (let i = 0; i < 3; i++) {
          await store.write(pts(line, 'exit', 'thickness_um', [[T0 + i, 800 + i]]))
          expect(await store.range({ line, equipment: 'exit', sensor: 'thickness_um', from: T0, to: T0 + 10 })).toHaveLength(i + 1)
        }
      })

      it('answers unknown series and empty ranges with [] and accepts empty writes', async () => {
        const line = newLine()
        await store.write([])
        await store.write(pts(line, 'stand1', 'v', [[T0, 1]]))
        const q = { from: T0 - 1000, to: T0 + 1000 }
        expect(await store.range({ ...q, line: `${line}-none`, equipment: 'stand1', sensor: 'v' })).toEqual([])
        expect(await store.range({ ...q, line, equipment: 'stand1', sensor: 'nope' })).toEqual([])
        expect(await store.range({ ...q, line, equipment: 'nope', sensor: 'v' })).toEqual([])
        expect(await store.buckets({ ...q, line, equipment: 'nope', sensor: 'v', stepMs: 60_000 })).toEqual([])
        expect(await store.latest({ line: `${line}-none` })).toEqual([])
        expect(await store.latest({ line, equipment: 'nope' })).toEqual([])
        expect(await store.range({ line, equipment: 'stand1', sensor: 'v', from: T0 + 1, to: T0 + 1 })).toEqual([])
      })
    })

    describe('buckets', () => {
      it('aligns buckets at multiples of stepMs, computes avg/min/max/count, omits empty buckets', async () => {
        const line = newLine()
        await store.write(pts(line, 'stand3', 'force', [[T0 + 1000, 1], [T0 + 4000, 3], [T0 + 9999, 5], [T0 + 10_000, 10], [T0 + 35_000, 7]]))
        const q = { line, equipment: 'stand3', sensor: 'force', stepMs: 10_000 }
        expect(await store.buckets({ ...q, from: T0, to: T0 + 60_000 })).toEqual([
          { ts: T0, avg: 3, min: 1, max: 5, count: 3 },
          { ts: T0 + 10_000, avg: 10, min: 10, max: 10, count: 1 },
          { ts: T0 + 30_000, avg: 7, min: 7, max: 7, count: 1 },
        ])
        // A `from` inside a bucket: the bucket keeps its aligned start but counts only points ≥ from.
        expect(await store.buckets({ ...q, from: T0 + 5000, to: T0 + 35_000 })).toEqual([
          { ts: T0, avg: 5, min: 5, max: 5, count: 1 },
          { ts: T0 + 10_000, avg: 10, min: 10, max: 10, count: 1 },
        ])
        expect(await store.buckets({ ...q, from: T0, to: T0 + 60_000, limit: 1 })).toHaveLength(1)
      })

      it('gives the same minute-multiple buckets before and after rollups, also for late points', async () => {
        const line = newLine()
        // 40 minutes at 0.2 Hz with a wavy signal, plus a gap (minutes 20–24 empty).
        const rows: Array<[number, number]> = []
        for (let t = 0; t < 40 * 60_000; t += 5000) if (t < 20 * 60_000 || t >= 25 * 60_000) rows.push([T0 + t, Math.round(Math.sin(t / 7e4) * 1000) / 10])
        await store.write(pts(line, 'stand4', 'temp', rows))
        const cases = [
          { stepMs: 60_000, from: T0, to: T0 + 40 * 60_000 },
          { stepMs: 300_000, from: T0 + 30_000, to: T0 + 38 * 60_000 + 7000 },
          { stepMs: 7 * 60_000, from: T0 - 3_600_000, to: T0 + 3_600_000 },
          { stepMs: 3_600_000, from: T0 + 59_999, to: T0 + 40 * 60_000 },
        ]
        const check = async (all: Array<[number, number]>) => {
          for (const c of cases) {
            const got = await store.buckets({ line, equipment: 'stand4', sensor: 'temp', ...c })
            expectBuckets(got, bucketsOf(all, c.from, c.to, c.stepMs))
          }
        }
        await check(rows)
        await maintain()
        await check(rows)
        const late: Array<[number, number]> = [[T0 + 3 * 60_000 + 1234, 999], [T0 + 22 * 60_000, -5]]
        await store.write(pts(line, 'stand4', 'temp', late))
        await maintain()
        await check([...rows, ...late])
      })
    })

    describe('latest', () => {
      it('gives the newest value of every sensor of a line, or of one piece of equipment', async () => {
        const line = newLine()
        await store.write([
          ...pts(line, 'stand1', 'a', [[T0, 1], [T0 + 2000, 2]]),
          ...pts(line, 'stand1', 'b', [[T0 + 500, 3]]),
          ...pts(line, 'stand2', 'a', [[T0 + 100, 4]]),
          ...pts(`${line}-other`, 'stand1', 'a', [[T0 + 9000, 5]]),
        ])
        const sort = (l: Awaited<ReturnType<TimeSeriesStore['latest']>>) => [...l].sort((x, y) => (x.equipment + x.sensor).localeCompare(y.equipment + y.sensor))
        expect(sort(await store.latest({ line }))).toEqual([
          { line, equipment: 'stand1', sensor: 'a', ts: T0 + 2000, value: 2 },
          { line, equipment: 'stand1', sensor: 'b', ts: T0 + 500, value: 3 },
          { line, equipment: 'stand2', sensor: 'a', ts: T0 + 100, value: 4 },
        ])
        expect(await store.latest({ line, equipment: 'stand2' })).toEqual([{ line, equipment: 'stand2', sensor: 'a', ts: T0 + 100, value: 4 }])
      })

      it('keeps the newest point when older ones arrive later', async () => {
        const line = newLine()
        await store.write(pts(line, 'exit', 'speed', [[T0 + 5000, 5]]))
        await store.write(pts(line, 'exit', 'speed', [[T0 + 1000, 1]]))
        await store.write(pts(line, 'exit', 'speed', [[T0 + 3000, 3], [T0 + 2000, 2]]))
        expect(await store.latest({ line })).toEqual([{ line, equipment: 'exit', sensor: 'speed', ts: T0 + 5000, value: 5 }])
      })
    })

    describe('idempotence (QoS 1 resends)', () => {
      it('stores a point written twice once: range, buckets and rollups are not doubled', async () => {
        const line = newLine()
        const batch = pts(line, 'stand5', 'vib', Array.from({ length: 120 }, (_, i) => [T0 + i * 1000, i % 7]))
        await store.write(batch)
        await store.write(batch)
        await store.write([batch[0], batch[0]])
        const q = { line, equipment: 'stand5', sensor: 'vib', from: T0, to: T0 + 120_000 }
        expect(await store.range(q)).toHaveLength(120)
        const expected = bucketsOf(batch.map((p) => [p.ts, p.value]), q.from, q.to, 60_000)
        expectBuckets(await store.buckets({ ...q, stepMs: 60_000 }), expected)
        await maintain()
        expectBuckets(await store.buckets({ ...q, stepMs: 60_000 }), expected)
        expect((await store.buckets({ ...q, stepMs: 120_000 }))[0].count).toBe(120)
      })
    })

    it('accepts many small concurrent writes and resolves them all', async () => {
      const line = newLine()
      const writes = Array.from({ length: 400 }, (_, i) =>
        store.write(pts(line, `stand${(i % 5) + 1}`, 'current', Array.from({ length: (i % 4) + 1 }, (_, k) => [T0 + i * 10 + k, i]))),
      )
      await Promise.all(writes)
      let total = 0
      for (let s = 1; s <= 5; s++) total += (await store.range({ line, equipment: `stand${s}`, sensor: 'current', from: T0, to: T0 + 10_000 })).length
      expect(total).toBe(400 * 2.5)
      expect(store.stats().pending).toBe(0)
      expect(store.stats().pointsWritten).toBeGreaterThanOrEqual(1000)
    })
  })
}

/** Buckets equal to the expected ones; avg within floating-point summation error. */
function expectBuckets(got: Bucket[], want: Bucket[]): void {
  expect(got.map(({ avg, ...b }) => b)).toEqual(want.map(({ avg, ...b }) => b))
  got.forEach((b, i) => expect(b.avg).toBeCloseTo(want[i].avg, 9))
}
