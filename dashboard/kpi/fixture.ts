// A hand-checked day of the mill for the KPI tests (figures.test.ts, dashboard/kpi.test.ts):
// 2025-11-24 14:00 to 2025-11-25 02:00 plant time (Asia/Shanghai, UTC+8). By the rotation in
// config/people.yaml crew D works the day shift, A the evening, B the night. Five coils finish
// in the range (one exactly on the 16:00 shift change, one 1 ms before midnight, one at
// midnight), one before it; the line stops 16:00–16:30 and 01:00–02:00. Expected figures:
//   shift   crew  tonnage  run/stop min  avail.   perf.  quality  OEE
//   day     D     20       120 / 0       1        0.8    1.0      0.8
//   evening A     40       450 / 30      0.9375   0.8    0.8      0.6
//   night   B     46        60 / 60      0.5      0.6    0.9      0.27
// Alarms: stand2 17:00 (ack +2 min, clear +10 min), exit 00:30 (ack +4, clear +20), stand2
// 15:00 (never acknowledged, clear +5): MTTA 3 min, MTTR 35/3 min.
import type { DuckDbStore } from '../../store/duckdb/index.ts'
import { openAlarmRecords } from '../../store/duckdb/records-alarms.ts'
import { openCoilRecords } from '../../store/duckdb/records-coils.ts'
import type { AlarmRecords, AlarmTransitionRecord, Bucket, CoilFacts, StoredCoil } from '../../store/types.ts'

export const at = (local: string) => Date.parse(`${local}+08:00`)
export const FROM = at('2025-11-24T14:00:00')
export const TO = at('2025-11-25T02:00:00')
const MIN = 60_000

const thickness = (mean_um: number, stdDev_um: number, share: number, gauged = 1000) =>
  ({ mean_um, stdDev_um, samples: 6000, gaugedLength_m: gauged, target_um: 500, tolerance_um: 50, inToleranceShare: share })

export const COILS: CoilFacts[] = [
  { id: 'C0', line: 'tcm1', finishedAt: at('2025-11-24T13:59:00'), grade: 'DC01', weight_t: 30, thickness: thickness(500, 10, 1) },
  { id: 'C1', line: 'tcm1', finishedAt: at('2025-11-24T15:59:59'), grade: 'DC01', weight_t: 20, thickness: thickness(510, 10, 1) },
  { id: 'C2', line: 'tcm1', finishedAt: at('2025-11-24T16:00:00'), grade: 'DC01', weight_t: 22, thickness: thickness(490, 20, 0.9) },
  { id: 'C3', line: 'tcm1', finishedAt: at('2025-11-24T23:59:59.999'), grade: 'SPCC', weight_t: 18, thickness: thickness(520, 30, 0.6, 500) },
  { id: 'C4', line: 'tcm1', finishedAt: at('2025-11-25T00:00:00'), grade: 'DC01', weight_t: 25, thickness: thickness(500, 15, 0.95) },
  { id: 'C5', line: 'tcm1', finishedAt: at('2025-11-25T01:30:00'), grade: 'SPCC', weight_t: 21, thickness: thickness(505, 25, 0.85) },
]

/** Exit strip speed (m/s) in the minute starting at `t`: the values read in it, every 10 s. */
export function speedAt(t: number): number[] {
  if (t >= at('2025-11-24T16:00:00') && t < at('2025-11-24T16:30:00')) return [0, 0, 0, 0, 0, 0]
  if (t === at('2025-11-24T20:00:00')) return [18, 22, 18, 22, 18, 22] // mean 20, peak 22
  if (t >= at('2025-11-25T01:00:00')) return [0, 0, 0, 0, 0, 0]
  if (t >= at('2025-11-25T00:00:00')) return [15, 15, 15, 15, 15, 15]
  return [20, 20, 20, 20, 20, 20]
}

export function speedBuckets(): Bucket[] {
  const out: Bucket[] = []
  for (let t = FROM; t < TO; t += MIN) {
    const v = speedAt(t)
    out.push({ ts: t, avg: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v), count: v.length })
  }
  return out
}

export function speedPoints() {
  const out: { line: string; equipment: string; sensor: string; ts: number; value: number }[] = []
  for (let t = FROM; t < TO; t += MIN) speedAt(t).forEach((value, i) => out.push({ line: 'tcm1', equipment: 'exit', sensor: 'strip_speed_mps', ts: t + i * 10_000, value }))
  return out
}

/** One alarm occurrence's transitions: raised, maybe acknowledged, cleared. */
function occurrence(equipment: string, raised: string, ackAfterMin: number | undefined, clearAfterMin: number): AlarmTransitionRecord[] {
  const t0 = at(raised)
  const point = { key: `tcm1/${equipment}/vibration_mm_s/zone-d`, line: 'tcm1', equipment, sensor: 'vibration_mm_s', rule: 'zone-d', priority: 'high' }
  const alarmId = `tcm1.${equipment}.vibration_mm_s.zone-d.${t0}`
  const out: AlarmTransitionRecord[] = [{ ...point, alarmId, action: 'activate', from: 'normal', to: 'unacknowledged', at: t0 }]
  if (ackAfterMin !== undefined) out.push({ ...point, alarmId, action: 'ack', from: 'unacknowledged', to: 'acknowledged', at: t0 + ackAfterMin * MIN, by: 'liu.yang' })
  const acked = ackAfterMin !== undefined && ackAfterMin < clearAfterMin
  out.push({ ...point, alarmId, action: 'clear', from: acked ? 'acknowledged' : 'unacknowledged', to: acked ? 'normal' : 'rtn_unacknowledged', at: t0 + clearAfterMin * MIN })
  return out
}

export const TRANSITIONS: AlarmTransitionRecord[] = [
  ...occurrence('stand2', '2025-11-24T15:00:00', undefined, 5),
  ...occurrence('stand2', '2025-11-24T17:00:00', 2, 10),
  ...occurrence('exit', '2025-11-25T00:30:00', 4, 20),
]

/** The coils as the records store keeps them (a record and a process summary with the thickness figures). */
export const storedCoils = (): StoredCoil[] =>
  COILS.map((c) => ({
    record: { id: c.id, line: c.line, status: 'finished', grade: c.grade, weight_t: c.weight_t, startedAt: c.finishedAt - 20 * MIN, finishedAt: c.finishedAt, children: [], suspectAlarms: [], extra: {} },
    summary: { from: c.finishedAt - 20 * MIN, to: c.finishedAt, length_m: 1200, thickness: { ...c.thickness!, weighting: 'length', min_um: 400, max_um: 600 }, stands: [], sensors: [], zones: { AB: 2.3, BC: 4.5, CD: 7.1 }, alarms: [] },
  }))

/** Writes the day into a real store: speed readings (rolled up), coil records, alarm transitions. */
export async function seedFixture(store: DuckDbStore): Promise<AlarmRecords> {
  await store.timeseries.write(speedPoints())
  await store.maintain() // the 1-minute rollups the KPIs read come from
  await (await openCoilRecords(store.sql)).upsert(storedCoils())
  const records = await openAlarmRecords(store.sql)
  await records.save(TRANSITIONS.map((t) => ({
    transition: t,
    alarm: { key: t.key, id: t.alarmId, line: String(t.line), equipment: String(t.equipment), state: t.to, active: t.action !== 'clear', updatedAt: t.at },
  })))
  return records
}
