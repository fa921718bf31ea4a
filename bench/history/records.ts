// The history's records, written through millwatch's own record modules on the real store:
// the alarms (openAlarmRecords) and, for every coil slot of the telemetry, the line's coil
// events, the coil record they make (coils/model.ts applyCoilEvent, stamped with the crew and
// shift on duty as the coils part does) and its process summary (coils/summary.ts), computed
// from the telemetry read back from the store and the stored alarms.
import type { Config } from '../../core/config.ts'
import type { CoilEvent } from '../../core/payloads.ts'
import { shiftAt } from '../../core/shifts.ts'
import { activeDuring } from '../../alerts/during.ts'
import { applyCoilEvent, applySummary, markSuspect, type CoilRecord } from '../../coils/model.ts'
import { thicknessTolerance_um } from '../../coils/products.ts'
import { SENSORS, standsOf, summarizeCoil } from '../../coils/summary.ts'
import { coilId, GRADES } from '../../simulators/coils.ts'
import { Rng, round } from '../../simulators/random.ts'
import type { DuckDbStore } from '../../store/duckdb/index.ts'
import { openAlarmRecords } from '../../store/duckdb/records-alarms.ts'
import { openCoilRecords } from '../../store/duckdb/records-coils.ts'
import type { AlarmSnapshot, RawPoint, StoredCoil } from '../../store/types.ts'
import type { AlarmHistory } from './alarms.ts'
import { SLOT_S } from './model-sql.ts'
import type { Slot } from './telemetry.ts'

const ENTRY_GAUGES_MM = [2.0, 2.3, 2.5, 2.75, 3.0]
const SUMMARY_SENSORS: ReadonlySet<string> = new Set(Object.values(SENSORS))

export async function writeAlarms(store: DuckDbStore, h: AlarmHistory, onProgress: (done: number) => void): Promise<void> {
  const records = await openAlarmRecords(store.sql)
  // The transitions in multi-row INSERTs (AlarmRecords.save commits each one: ~50/s), into
  // the columns records-alarms.ts declares, the whole Transition as its document.
  const ROWS = 500
  const lastOnes = new Set(h.last.values())
  const rest = h.transitions.filter((t) => !lastOnes.has(t))
  for (let i = 0; i < rest.length; i += ROWS) {
    const part = rest.slice(i, i + ROWS)
    const params = part.flatMap((t) => [t.alarmId, t.key, t.at, t.action, JSON.stringify(t)])
    const rows = part.map((_, k) => `($${k * 5 + 1}, $${k * 5 + 2}, $${k * 5 + 3}, $${k * 5 + 4}, $${k * 5 + 5})`).join(', ')
    await store.sql.run(`INSERT INTO alarm_transitions (alarm_id, key, "at", action, doc) VALUES ${rows}`, params)
    onProgress(i + part.length)
  }
  // Each alarm point's state after its last transition, through the real save() (which also
  // stores that transition: skipped above).
  const last = [...h.last.values()].map((t) => {
    const alarm: AlarmSnapshot = {
      key: t.key, id: t.alarmId, line: t.line, equipment: t.equipment, sensor: t.sensor, rule: t.rule, priority: t.priority,
      ...(t.area && { area: t.area }), state: t.to, active: t.to === 'unacknowledged' || t.to === 'acknowledged',
      acknowledged: t.to !== 'unacknowledged' && t.to !== 'rtn_unacknowledged', activations: 1, updatedAt: t.at,
    }
    return { alarm, transition: { ...t } }
  })
  await records.save(last)
  onProgress(h.transitions.length)
}

/** The coils of the fully rolled slots; returns how many. */
export async function writeCoils(
  store: DuckDbStore,
  o: { config: Config; line: string; startMs: number; endMs: number; slots: readonly Slot[]; seed?: number },
  onProgress: (done: number, total: number) => void,
): Promise<number> {
  const rng = Rng.seeded(o.seed ?? 5)
  const coilRecords = await openCoilRecords(store.sql)
  const { config } = o
  const lineNo = Number(/\d+$/.exec(o.line)?.[0] ?? 1)
  let heat = ''
  let slabsLeft = 0
  const rolled = o.slots.filter((s) => !s.down && o.startMs + (s.c * SLOT_S + s.dur) * 1000 <= o.endMs)
  const stored: StoredCoil[] = []
  const events: CoilEvent[] = []
  for (const s of rolled) {
    const start = o.startMs + s.c * SLOT_S * 1000
    const finish = start + s.dur * 1000
    if (slabsLeft-- <= 0) ((heat = `${new Date(start).getUTCFullYear() % 100}${rng.pick(['A', 'B', 'C'])}${String(rng.int(0, 99999)).padStart(5, '0')}`), (slabsLeft = rng.int(6, 12)))
    const width = Math.round(rng.range(900, s.tgt < 500 ? 1250 : 1500) / 10) * 10
    const length = rolledLength(s)
    const attributes = {
      parentId: `H${heat}${String(slabsLeft).padStart(2, '0')}`, heat, grade: rng.weighted(GRADES).name,
      entryThickness_mm: rng.pick(ENTRY_GAUGES_MM), targetThickness_mm: s.tgt / 1000, width_mm: width,
      // weight from the length the model rolled: ρ · width · thickness · length
      weight_t: round(7.85 * (width / 1000) * (s.tgt / 1e6) * length, 2), length_m: round(length, 1),
    }
    const id = coilId(start, lineNo)
    const evs: CoilEvent[] = [
      { line: o.line, coilId: id, event: 'start', ts: start, attributes },
      { line: o.line, coilId: id, event: 'finish', ts: finish, attributes },
    ]
    events.push(...evs)
    // What the coils part does with the two events (coils/service.ts applyEvent and stamp).
    const record = evs.reduce((r, e) => applyCoilEvent(r, e), undefined as CoilRecord | undefined)!
    const slot = shiftAt(start, config.people.file, config.plant.timezone)
    stored.push({ record: { ...record, shift: slot.shiftId, crew: slot.crew } })
  }
  await store.records.appendCoilEvents(events)
  // Process summaries as CoilService.summarize computes them (the same pure summarizeCoil on
  // the stored telemetry and alarms), but reading a day of each series at once: the coils
  // part's 22 reads per coil cost ~1 s a coil on a busy 2-core machine.
  const transitions = await (await openAlarmRecords(store.sql)).transitions({ limit: 100_000 })
  const model = config.plant.lines.get(o.line)!
  const keys = [...model.equipment.values()].flatMap((eq) => [...eq.sensors.keys()].filter((s) => SUMMARY_SENSORS.has(s)).map((sensor) => ({ equipment: eq.id, sensor })))
  const DAY = 86_400_000
  let done = 0
  for (let day = o.startMs; day < o.endMs; day += DAY) {
    const coils = stored.filter((c) => c.record.startedAt! >= day && c.record.startedAt! < day + DAY)
    if (!coils.length) continue
    const to = Math.max(...coils.map((c) => c.record.finishedAt!))
    const series = await Promise.all(keys.map((k) => store.timeseries.range({ line: o.line, ...k, from: day, to, limit: 10_000_000 })))
    for (const c of coils) {
      const r = c.record
      const telemetry: Record<string, Record<string, RawPoint[]>> = {}
      keys.forEach((k, i) => ((telemetry[k.equipment] ??= {})[k.sensor] = slice(series[i], r.startedAt!, r.finishedAt!)))
      const summary = summarizeCoil({
        from: r.startedAt!, to: r.finishedAt!, telemetry, stands: standsOf(model), target_mm: r.targetThickness_mm,
        tolerance_um: thicknessTolerance_um(config.products, r.grade, r.targetThickness_mm),
        alarms: activeDuring(transitions, o.line, r.startedAt!, r.finishedAt!),
      })
      let record = applySummary(r, summary)
      for (const a of summary.alarms) if (a.priority === 'high' || a.priority === 'critical') record = markSuspect(record, a.id)
      c.record = record
      c.summary = summary
    }
    await coilRecords.upsert(coils)
    onProgress((done += coils.length), stored.length)
  }
  return stored.length
}

/** The points of a time-sorted series in [from, to). */
function slice(s: readonly RawPoint[], from: number, to: number): RawPoint[] {
  const at = (t: number) => {
    let lo = 0
    let hi = s.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (s[mid].ts < t) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  return s.slice(at(from), at(to))
}

/** ∫ v dt of the model's exit speed over one coil (model-sql.ts speedExpr), m. */
function rolledLength(s: Slot): number {
  let m = 0
  for (let p = 0; p < s.dur; p++) {
    const ta = s.vr - 1.5
    const td = (s.vr - 1.5) / 1.2
    m += p < 24 ? 1.5 : p < 24 + ta ? 1.5 + (p - 24) : p < s.dur - 12 - td ? s.vr : p < s.dur - 12 ? s.vr - 1.2 * (p - (s.dur - 12 - td)) : 1.5
  }
  return m
}
