// The DuckDB store against a real file in a temp folder: both contract suites, then what is
// specific to this implementation (persistence, failures, rollups and retention).
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises'
import { availableParallelism, getPriority, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import type { Point } from '../../core/payloads.ts'
import { threadIds } from '../../core/threads.ts'
import { describeRecordsContract } from '../contract/records.ts'
import { describeTimeSeriesContract, T0 } from '../contract/timeseries.ts'
import { openDuckDbStore, type DuckDbStoreOptions } from './index.ts'

const dirs: string[] = []
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'millwatch-store-'))
  dirs.push(d)
  return d
}
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

const open = async (o: Partial<DuckDbStoreOptions> = {}) => openDuckDbStore({ dir: await tempDir(), maintenanceIntervalMs: 0, ...o })

// Both contract suites use one file, as millwatch does (starting a worker costs ~0.7 s);
// it closes when both suites have closed their part.
let shared: ReturnType<typeof open> | undefined
const sharedStore = () => (shared ??= open())

describeTimeSeriesContract('DuckDB', async () => {
  const s = await sharedStore()
  return { store: s.timeseries, close: () => s.timeseries.close(), maintain: async () => void (await s.maintain()) }
})

describeRecordsContract('DuckDB', async () => {
  const s = await sharedStore()
  return { store: s.records, close: () => s.records.close() }
})

const point = (ts: number, value: number, sensor = 'vibration_mm_s'): Point => ({ line: 'tcm1', equipment: 'stand2', sensor, ts, value })
const series = { line: 'tcm1', equipment: 'stand2', sensor: 'vibration_mm_s' }

describe('DuckDB store', () => {
  it('keeps points, latest values, rollups and coil events across close and reopen; opens a file once', async () => {
    const dir = await tempDir()
    const a = await openDuckDbStore({ dir, maintenanceIntervalMs: 0 })
    await a.timeseries.write(Array.from({ length: 600 }, (_, i) => point(T0 + i * 1000, i % 10)))
    await a.records.appendCoilEvents([{ line: 'tcm1', coilId: 'C7', event: 'start', ts: T0, attributes: { grade: 'SPCC' } }])
    await a.maintain()
    const q = { ...series, from: T0, to: T0 + 600_000 }
    const before = { range: await a.timeseries.range(q), buckets: await a.timeseries.buckets({ ...q, stepMs: 60_000 }) }
    await Promise.all([a.timeseries.close(), a.records.close()])
    await a.close()
    await expect(a.timeseries.write([point(T0, 1)])).rejects.toThrow(/closed/)

    const b = await openDuckDbStore({ dir, maintenanceIntervalMs: 0 })
    await expect(openDuckDbStore({ dir })).rejects.toThrow(/already open in this process/)
    expect(await b.timeseries.range(q)).toEqual(before.range)
    expect(await b.timeseries.buckets({ ...q, stepMs: 60_000 })).toEqual(before.buckets)
    expect(await b.timeseries.latest({ line: 'tcm1' })).toEqual([{ ...series, ts: T0 + 599_000, value: 9 }])
    expect(await b.records.coilEvents({ coilId: 'C7' })).toHaveLength(1)
    await b.timeseries.write([point(T0 + 600_000, 5)]) // new points reuse the stored series id
    expect(await b.timeseries.latest({ line: 'tcm1' })).toEqual([{ ...series, ts: T0 + 600_000, value: 5 }])
    await b.close()
  })

  it('rolls up with the injected clock, then applies raw and rollup retention', async () => {
    let now = T0 + 5 * 60_000
    const s = await open({ now: () => now, retention: { rawMs: 3_600_000, rollupMs: 86_400_000 } })
    await s.timeseries.write(Array.from({ length: 60 }, (_, i) => point(T0 + i * 10_000, i)))
    const q = { ...series, from: T0, to: T0 + 3_600_000 }
    const raw1m = await s.timeseries.buckets({ ...q, stepMs: 60_000 })

    // 2 minutes of lag: at T0+5m the minutes before T0+3m are rolled up.
    expect(await s.maintain()).toMatchObject({ watermark: T0 + 3 * 60_000, rolledUpMinutes: 3, dirtyMinutes: 0, deletedPoints: 0 })
    expect(await s.timeseries.buckets({ ...q, stepMs: 60_000 })).toEqual(raw1m)

    now = T0 + 2 * 3_600_000 // raw points are an hour past retention; their minutes live on
    expect(await s.maintain()).toMatchObject({ rolledUpMinutes: 7, deletedPoints: 60, deletedRollups: 0 })
    expect(await s.timeseries.range(q)).toEqual([])
    expect(await s.timeseries.buckets({ ...q, stepMs: 10_000 })).toEqual([])
    expect(await s.timeseries.buckets({ ...q, stepMs: 60_000 })).toEqual(raw1m)
    // A late point below the raw cutoff must not replace its minute's rollup by itself.
    await s.timeseries.write([point(T0 + 30_500, 1000)])
    expect(await s.maintain()).toMatchObject({ dirtyMinutes: 0, deletedPoints: 1 })
    expect(await s.timeseries.buckets({ ...q, stepMs: 60_000 })).toEqual(raw1m)

    now = T0 + 2 * 86_400_000
    expect(await s.maintain()).toMatchObject({ deletedRollups: 10 })
    expect(await s.timeseries.buckets({ ...q, stepMs: 60_000 })).toEqual([])
    await s.close()
  })

  it('collapses duplicates written before their minute is rolled up, and only there', async () => {
    let now = T0
    const s = await open({ now: () => now })
    const batch = Array.from({ length: 180 }, (_, i) => point(T0 + i * 1000, i % 13))
    await s.timeseries.write(batch) // in order: nothing to collapse
    await s.timeseries.write(batch.slice(60, 62)) // a resend into minute 1
    await s.timeseries.write([point(T0 + 150_500, 4), point(T0 + 150_000, 150 % 13)]) // out of order, minute 2
    const q = { ...series, from: T0, to: T0 + 180_000, stepMs: 60_000 }
    const before = await s.timeseries.buckets(q)
    expect(before.map((b) => b.count)).toEqual([60, 60, 61])
    now = T0 + 10 * 60_000
    expect(await s.maintain()).toMatchObject({ rolledUpMinutes: 1, dirtyMinutes: 2 })
    expect(await s.timeseries.buckets(q)).toEqual(before)
    await s.close()
  })

  it('rejects writes while the disk is full and recovers by itself afterwards', async () => {
    const dir = await tempDir()
    await (await openDuckDbStore({ dir, maintenanceIntervalMs: 0 })).close() // leaves no WAL behind
    // Every write to /dev/full fails with ENOSPC: a disk that is full for the WAL alone.
    const wal = join(dir, 'millwatch.duckdb.wal')
    await symlink('/dev/full', wal)
    const s = await openDuckDbStore({ dir, maintenanceIntervalMs: 0 })
    await expect(s.timeseries.write([point(T0, 1)])).rejects.toThrow(/No space left/)
    expect(s.timeseries.stats().pending).toBe(0)
    await unlink(wal)
    await s.timeseries.write([point(T0 + 1, 2)])
    expect(await s.timeseries.range({ ...series, from: T0, to: T0 + 10 })).toEqual([{ ts: T0 + 1, value: 2 }])
    await s.close()
  })

  it('refuses a bad point alone; once the worker dies, rejects everything and never hangs', async () => {
    const s = await open()
    const good = s.timeseries.write([point(T0, 1)])
    await expect(s.timeseries.write([point(Number.NaN, 1)])).rejects.toThrow(/invalid point/)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    await expect(s.records.appendCoilEvents([{ line: 'tcm1', coilId: 'X', event: 'start', ts: T0, attributes: cyclic }])).rejects.toThrow(/not JSON/)
    await good // committed in the same batch window as the refused ones

    const pending = s.timeseries.write([point(T0 + 1, 2)])
    await s.worker.terminate()
    await expect(pending).rejects.toThrow(/worker/)
    await expect(s.timeseries.write([point(T0 + 2, 3)])).rejects.toThrow(/worker/)
    await expect(s.timeseries.range({ ...series, from: T0, to: T0 + 10 })).rejects.toThrow(/worker/)
    await s.close()
  })

  it('stores every safe-integer timestamp exactly, in slices longer than one data chunk', async () => {
    const s = await open()
    // Timestamps go into DuckDB's BIGINT column as two 32-bit words each: the words' edges,
    // negative times and the largest (a range's `to` is exclusive and at most 2^53 − 1) must
    // come back as they went in.
    const edges = [-(2 ** 53) + 1, -(2 ** 32) - 1, -1, 0, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, T0, 2 ** 53 - 2]
    const many = Array.from({ length: 5000 }, (_, i) => point(T0 + 1000 + i, i / 7)) // > 2 chunks of 2048
    await s.timeseries.write([...edges.map((ts, i) => point(ts, i)), ...many])
    expect(await s.timeseries.range({ ...series, from: -(2 ** 53), to: 2 ** 53, limit: 10_000 })).toEqual(
      [...edges.slice(0, -1).map((ts, i) => ({ ts, value: i })), ...many.map(({ ts, value }) => ({ ts, value })), { ts: 2 ** 53 - 2, value: edges.length - 1 }],
    )
    expect(await s.timeseries.latest({ line: 'tcm1' })).toEqual([{ ...series, ts: 2 ** 53 - 2, value: edges.length - 1 }])
    await s.close()
  })

  it.runIf(process.platform === 'linux')('runs its own thread and DuckDB\'s at the nice value it is given, the caller\'s thread unchanged', async () => {
    const niceOf = (tid: number) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16])
    const before = threadIds()
    const s = await open({ nice: 7 })
    await s.timeseries.write([point(T0, 1)]) // a commit: the store's threads are all up
    const added = [...threadIds()].filter((t) => !before.has(t))
    // The store's worker thread and the task threads DuckDB started for its instance.
    expect(added.filter((t) => niceOf(t) === 7).length).toBeGreaterThanOrEqual(Math.min(2, availableParallelism()))
    expect(getPriority()).toBe(0)
    await s.close()
  })

  it('closes and reopens its file every `reopenEveryPoints` points, between commits, losing nothing', async () => {
    const lines: Array<{ msg: string; points?: number }> = []
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) })
    const s = await open({ reopenEveryPoints: 2500, log })
    // 10 commits of 1000 points, one after another: a reopen after the 3rd, 6th and 9th.
    for (let k = 0; k < 10; k++) await s.timeseries.write(Array.from({ length: 1000 }, (_, i) => point(T0 + k * 1000 + i, k)))
    await s.sql.run('CREATE TABLE IF NOT EXISTS t_after (n INTEGER)') // the next write after the 9th commit reopens first
    const reopens = lines.filter((l) => /reopened to give back/.test(l.msg))
    expect(reopens.map((l) => l.points)).toEqual([3000, 3000, 3000])
    const got = await s.timeseries.range({ ...series, from: T0, to: T0 + 10_000, limit: 20_000 })
    expect(got.length).toBe(10_000)
    expect(got.every((p, i) => p.ts === T0 + i && p.value === Math.floor(i / 1000))).toBe(true)
    expect(await s.timeseries.latest({ line: 'tcm1' })).toEqual([{ ...series, ts: T0 + 9999, value: 9 }])
    await s.close()
  })

  it('takes the readings of one device message as they are, in the same group commit as points, and refuses a bad one alone', async () => {
    const s = await open()
    const ts = s.timeseries
    const both = [
      ts.writeReadings!('tcm1', 'stand2', T0 + 0.7, { vibration_mm_s: 2.5, bearing_temp_C: 61 }),
      ts.write([point(T0 + 1, 2.6)]),
      ts.writeReadings!('tcm1', 'stand2', T0 + 2, { vibration_mm_s: 2.7, new_sensor: 4 }),
    ]
    expect(both[0]).toBe(both[1]) // one batch, one promise: a device's PUBACKs wait on it together
    await expect(ts.writeReadings!('tcm1', 'stand2', T0 + 3, { vibration_mm_s: 'x' as unknown as number })).rejects.toThrow(/invalid reading/)
    await Promise.all(both)
    expect(await ts.range({ ...series, from: T0, to: T0 + 10 })).toEqual([
      { ts: T0, value: 2.5 },
      { ts: T0 + 1, value: 2.6 },
      { ts: T0 + 2, value: 2.7 },
    ])
    expect(await ts.range({ ...series, sensor: 'bearing_temp_C', from: T0, to: T0 + 10 })).toEqual([{ ts: T0, value: 61 }])
    expect(await ts.range({ ...series, sensor: 'new_sensor', from: T0, to: T0 + 10 })).toEqual([{ ts: T0 + 2, value: 4 }])
    await s.close()
  })

  it('names the file when it cannot be opened: corrupt, locked, impossible path', async () => {
    const corrupt = async () => {
      const dir = await tempDir()
      await writeFile(join(dir, 'millwatch.duckdb'), Buffer.alloc(64 * 1024, 7))
      await expect(openDuckDbStore({ dir })).rejects.toThrow(join(dir, 'millwatch.duckdb'))
    }
    const parentIsFile = async () => {
      const file = join(await tempDir(), 'file')
      await writeFile(file, 'not a folder')
      await expect(openDuckDbStore({ dir: join(file, 'data') })).rejects.toThrow(join(file, 'data', 'millwatch.duckdb'))
    }
    const lockedByAnotherProcess = async () => {
      const dir = await tempDir()
      const file = join(dir, 'millwatch.duckdb')
      const holder = spawn(
        process.execPath,
        ['--input-type=module', '-e', `import { DuckDBInstance } from '@duckdb/node-api'
          await (await DuckDBInstance.create(process.argv[1])).connect(); console.log('open'); setInterval(() => {}, 1000)`, file],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      )
      try {
        await new Promise((res) => holder.stdout.once('data', res))
        await expect(openDuckDbStore({ dir })).rejects.toThrow(new RegExp(`${file}.*lock`))
      } finally {
        holder.kill()
      }
    }
    await Promise.all([corrupt(), parentIsFile(), lockedByAnotherProcess()])
  })
})

describe('SQL for the domain record modules', () => {
  it('runs statements in turn with commits and reads rows back with numbers, not bigints', async () => {
    const s = await open()
    try {
      await s.sql.run('CREATE TABLE IF NOT EXISTS t_demo (id VARCHAR PRIMARY KEY, n BIGINT, note VARCHAR)')
      await s.sql.run('INSERT INTO t_demo VALUES ($1, $2, $3)', ['a', 42, '轧机'])
      await s.sql.run('INSERT INTO t_demo VALUES ($id, $n, NULL)', { id: 'b', n: 7 })
      expect(await s.sql.all('SELECT id, n, note FROM t_demo ORDER BY id')).toEqual([
        ['a', 42, '轧机'],
        ['b', 7, null],
      ])
      await expect(s.sql.run('INSERT INTO t_demo VALUES ($1, $2, $3)', ['a', 1, null])).rejects.toThrow(/constraint|duplicate/i)
    } finally {
      await s.close()
    }
    await expect(s.sql.run('SELECT 1')).rejects.toThrow(/closed/)
  })
})
