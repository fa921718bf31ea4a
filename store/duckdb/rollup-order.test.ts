// Completed days of rollups are rewritten sorted by series (rollup-order.ts): trends answer
// exactly as before, the rows of a day end up grouped by series, and a file with many days
// catches up a few days per maintenance pass.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import type { Point } from '../../core/payloads.ts'
import { openDuckDbStore } from './index.ts'
import { DAY, DAYS_PER_PASS } from './rollup-order.ts'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

it('sorts completed days of rollups by series without changing any answer', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'millwatch-rollup-order-'))
  dirs.push(dir)
  const T0 = Date.UTC(2025, 10, 20)
  const days = DAYS_PER_PASS + 1
  const store = await openDuckDbStore({ dir, maintenanceIntervalMs: 0, now: () => T0 + (days + 1) * DAY })
  try {
    const sensors = ['a', 'b', 'c']
    const points: Point[] = []
    for (let t = T0; t < T0 + days * DAY; t += 60_000)
      sensors.forEach((sensor, i) => points.push({ line: 'l1', equipment: 'e1', sensor, ts: t + 7_000 * i, value: Math.sin(t / 3e6 + i) * 10 + i }))
    await store.timeseries.write(points)
    const q = (sensor: string, stepMs: number) => store.timeseries.buckets({ line: 'l1', equipment: 'e1', sensor, from: T0, to: T0 + days * DAY, stepMs })
    const before = await Promise.all(sensors.map((s) => q(s, 3_600_000)))

    const first = await store.maintain()
    expect(first.sortedDays).toBe(DAYS_PER_PASS)
    expect((await store.maintain()).sortedDays).toBe(days - DAYS_PER_PASS)
    expect((await store.maintain()).sortedDays).toBe(0)

    const after = await Promise.all(sensors.map((s) => q(s, 3_600_000)))
    after.forEach((buckets, i) => {
      expect(buckets.map(({ ts, min, max, count }) => ({ ts, min, max, count }))).toEqual(before[i].map(({ ts, min, max, count }) => ({ ts, min, max, count })))
      buckets.forEach((b, k) => expect(b.avg).toBeCloseTo(before[i][k].avg, 9))
    })
    // Within the first day, the rows now come series by series.
    const order = (await store.sql.all(`SELECT series_id FROM rollup_1m WHERE ts < ${T0 + DAY} ORDER BY rowid`)).map((r) => Number(r[0]))
    expect(order).toHaveLength(3 * 1440)
    expect(order).toEqual([...order].sort((x, y) => x - y))
  } finally {
    await store.close()
  }
})
