// Alarm rate figures over annunciation times (EEMUA 191 / ISA-18.2 alarm performance):
// average and peak alarms per 10 minutes, and flood periods. About one alarm per 10 minutes
// per operator is manageable; more than 10 in 10 minutes is a flood.

export const TEN_MINUTES = 600_000
/** ISA-18.2 flood: begins when more than 10 alarms fall in 10 minutes … */
export const FLOOD_START = 10
/** … and ends when fewer than 5 remain in the trailing 10 minutes. */
export const FLOOD_END = 5

export interface Flood {
  readonly start: number
  /** Absent if the flood was still going on at the end of the period. */
  readonly end?: number
  /** Alarms annunciated from the 10 minutes before the start until the end. */
  readonly alarms: number
  /** The most alarms in any trailing 10 minutes during the flood. */
  readonly peakPer10Min: number
}

export interface AlarmRate {
  readonly activations: number
  readonly avgPer10Min: number
  /** Most alarms in one of the period's fixed 10-minute intervals (EEMUA 191 peak rate). */
  readonly maxPer10Min: number
  /** Share of the fixed 10-minute intervals with more than 10 alarms. */
  readonly floodIntervalsPct: number
  readonly floods: readonly Flood[]
  /** Share of the period spent in a flood. */
  readonly timeInFloodPct: number
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits

/** Floods by a sliding 10-minute window: count(t) = alarms in (t − 10 min, t]. */
export function floods(times: readonly number[], to: number): Flood[] {
  const out: Flood[] = []
  const n = times.length
  let arrive = 0 // next alarm to enter the window
  let leave = 0 // next alarm to leave it (at its time + 10 min)
  let count = 0
  let current: { start: number; first: number; peak: number } | undefined
  while (arrive < n || (leave < arrive && times[leave] + TEN_MINUTES <= to)) {
    const tArrive = arrive < n ? times[arrive] : Infinity
    const tLeave = leave < arrive ? times[leave] + TEN_MINUTES : Infinity
    const t = Math.min(tArrive, tLeave)
    if (t > to) break
    while (leave < arrive && times[leave] + TEN_MINUTES <= t) leave++, count--
    while (arrive < n && times[arrive] === t) arrive++, count++
    if (!current && count > FLOOD_START) current = { start: t, first: leave, peak: count }
    else if (current) {
      current.peak = Math.max(current.peak, count)
      if (count < FLOOD_END) {
        out.push({ start: current.start, end: t, alarms: arrive - current.first, peakPer10Min: current.peak })
        current = undefined
      }
    }
  }
  if (current) out.push({ start: current.start, alarms: arrive - current.first, peakPer10Min: current.peak })
  return out
}

/** `times` sorted, within [from, to). */
export function alarmRate(times: readonly number[], from: number, to: number): AlarmRate {
  const span = Math.max(1, to - from)
  const intervals = Math.max(1, Math.ceil(span / TEN_MINUTES))
  const perInterval = new Array<number>(intervals).fill(0)
  for (const t of times) perInterval[Math.min(intervals - 1, Math.floor((t - from) / TEN_MINUTES))]++
  const fl = floods(times, to)
  const inFlood = fl.reduce((sum, f) => sum + ((f.end ?? to) - f.start), 0)
  return {
    activations: times.length,
    avgPer10Min: round((times.length * TEN_MINUTES) / span),
    maxPer10Min: perInterval.reduce((m, c) => Math.max(m, c), 0),
    floodIntervalsPct: round((100 * perInterval.filter((c) => c > FLOOD_START).length) / intervals),
    floods: fl,
    timeInFloodPct: round((100 * inFlood) / span),
  }
}
