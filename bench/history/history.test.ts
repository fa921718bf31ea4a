// An hour of generated history, opened by the real store: it must read as if ingested live —
// the rollups the generator built agree with the raw points, maintenance finds nothing left
// to roll up, coils carry their crew, shift and process summary, alarms have their
// transitions — and a second call reuses the folder instead of generating again.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openDuckDbStore } from '../../store/duckdb/index.ts'
import { openAlarmRecords } from '../../store/duckdb/records-alarms.ts'
import { openCoilRecords } from '../../store/duckdb/records-coils.ts'
import { ensureHistory } from './generate.ts'

const dir = mkdtempSync(join(tmpdir(), 'mw-history-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('generated history', () => {
  it('opens in the real store as if it had been ingested', async () => {
    const h = await ensureHistory({ dir, days: 1 / 24 })
    expect(h).toMatchObject({ series: 62, points: 62 * 3600, rollups: 62 * 60 })
    const store = await openDuckDbStore({ dir, maintenanceIntervalMs: 0, now: () => h.endMs + 10 * 60_000 })
    try {
      const q = { line: 'tcm1', equipment: 'stand2', sensor: 'roll_force_kN', from: h.startMs, to: h.endMs }
      // Whole-minute buckets come from rollup_1m, 30-second ones from raw points: same minutes, same sums.
      const minutes = await store.timeseries.buckets({ ...q, stepMs: 60_000 })
      const halves = await store.timeseries.buckets({ ...q, stepMs: 30_000 })
      expect(minutes).toHaveLength(60)
      for (const [i, m] of minutes.entries()) {
        const [a, b] = [halves[2 * i], halves[2 * i + 1]]
        expect(m.count).toBe(a.count + b.count)
        expect(m.min).toBe(Math.min(a.min, b.min))
        expect(m.max).toBe(Math.max(a.max, b.max))
        expect(m.avg).toBeCloseTo((a.avg * a.count + b.avg * b.count) / m.count, 6)
      }
      // The line rolls: exit speed reaches run speed, and a stand's force is in the MN range.
      const speed = await store.timeseries.buckets({ ...q, equipment: 'exit', sensor: 'strip_speed_mps', stepMs: 3_600_000 })
      expect(Math.max(...speed.map((b) => b.max))).toBeGreaterThan(14)
      expect(minutes.some((m) => m.max > 10_000)).toBe(true)
      const report = await store.maintain()
      expect(report).toMatchObject({ dirtyMinutes: 0 })
      expect(report.rolledUpMinutes).toBe(0) // nothing between the watermark and now: all rolled up already

      const coils = await (await openCoilRecords(store.sql)).list({ line: 'tcm1', limit: 100 })
      expect(coils.length).toBeGreaterThanOrEqual(4)
      const coil = (await (await openCoilRecords(store.sql)).get(coils[0].id))!
      expect(coil.record).toMatchObject({ status: 'finished', crew: expect.stringMatching(/^[A-D]$/), shift: expect.any(String), grade: expect.any(String) })
      expect(coil.summary?.thickness?.target_um).toBe(coil.record.targetThickness_mm! * 1000)
      expect(coil.summary?.thickness?.inToleranceShare).toBeGreaterThan(0.5)
      const transitions = await (await openAlarmRecords(store.sql)).transitions({})
      expect(transitions.length).toBe(h.alarmTransitions)
    } finally {
      await store.close()
    }
    const before = statSync(join(dir, 'millwatch.duckdb')).mtimeMs
    expect(await ensureHistory({ dir, days: 1 / 24 })).toEqual(h)
    expect(statSync(join(dir, 'millwatch.duckdb')).mtimeMs).toBe(before)
  })
})
