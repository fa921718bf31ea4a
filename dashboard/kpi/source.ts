// Reads a KPI range's inputs from the stores in three parallel round trips: the coils that
// finished in it, the exit strip speed as time buckets (whole minutes, so DuckDB answers from
// its 1-minute rollups; never raw points), and the line's alarm transitions from a day before
// it (stale alarms began earlier). Every table and the overview are computed from these.
import type { AlarmRecords, ProductionRecords, TimeSeriesStore } from '../../store/types.ts'
import type { KpiInput } from './figures.ts'

export interface KpiSources {
  timeseries: Pick<TimeSeriesStore, 'buckets'>
  production: ProductionRecords
  /** absent when this process runs no alerts part: alarm figures are then zero */
  alarms?: Pick<AlarmRecords, 'transitions'>
}

const MINUTE = 60_000
/** Bucket rows at most per read: a 1-minute step up to ~70 days, wider beyond. */
const MAX_BUCKETS = 100_000
const LOOKBACK = 86_400_000
const MAX_TRANSITIONS = 100_000

/** The bucket width for a range: 1 minute, or whole minutes wide enough for MAX_BUCKETS. */
export const stepFor = (from: number, to: number) => Math.max(1, Math.ceil((to - from) / MINUTE / MAX_BUCKETS)) * MINUTE

export async function readKpiInput(src: KpiSources, q: { line: string; exit?: string; from: number; to: number }): Promise<KpiInput> {
  const stepMs = stepFor(q.from, q.to)
  // Buckets start at multiples of the step: start at the one holding `from`.
  const bucketFrom = Math.floor(q.from / stepMs) * stepMs
  const [coils, speed, transitions] = await Promise.all([
    src.production.finishedCoils({ line: q.line, from: q.from, to: q.to }),
    src.timeseries.buckets({ line: q.line, equipment: q.exit ?? 'exit', sensor: 'strip_speed_mps', from: bucketFrom, to: q.to, stepMs }),
    src.alarms ? src.alarms.transitions({ from: q.from - LOOKBACK, to: q.to, limit: MAX_TRANSITIONS }) : Promise.resolve([]),
  ])
  return { coils, speed, stepMs, transitions: transitions.filter((t) => t.line === q.line) }
}
