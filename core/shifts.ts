// Which shift and which crew are on duty at a moment (config/people.yaml: shifts and the
// rotation, in the plant's time zone from config/plant.yaml). Pure: the coil records stamp
// each coil with it, alarm routing can ask who is on duty now. Four crews on three 8-hour
// shifts (四班三倒): on rotation day d, crew c works cycle[(d + offset_c) mod n].
import type { PeopleFile } from './people.ts'

export interface ShiftSlot {
  /** the shift's id, e.g. `day` */
  shiftId: string
  /** the crew working it, when the rotation names one */
  crew?: string
  /** the plant-local date the shift started on, yyyy-mm-dd */
  date: string
  /** epoch ms (UTC) of the shift's start and of the next shift's start */
  start: number
  end: number
}

type Rotation = Pick<PeopleFile, 'shifts' | 'rotation'>

const DAY_MS = 86_400_000
const formatters = new Map<string, Intl.DateTimeFormat>()

/** The plant-local wall clock of an instant, as if it were UTC (y, m, d, h, min, s, ms). */
function wallClock(t: number, timeZone: string): number {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    formatters.set(timeZone, f)
  }
  const p: Record<string, number> = {}
  for (const part of f.formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value)
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, ((t % 1000) + 1000) % 1000)
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** The shift (and its crew) on duty at epoch ms `t`. */
export function shiftAt(t: number, people: Rotation, timeZone: string): ShiftSlot {
  const local = wallClock(t, timeZone)
  const offset = local - t // the zone's UTC offset at t (ms)
  const shifts = [...people.shifts].map((s) => ({ id: s.id, min: minutes(s.start) })).sort((a, b) => a.min - b.min)
  const localDay = Math.floor(local / DAY_MS) * DAY_MS
  const minuteOfDay = (local - localDay) / 60_000
  // The latest shift start at or before now; before the first start it is yesterday's last shift.
  let i = shifts.length - 1
  while (i >= 0 && shifts[i].min > minuteOfDay) i--
  const startDay = i >= 0 ? localDay : localDay - DAY_MS
  const s = shifts[i >= 0 ? i : shifts.length - 1]
  const next = shifts[(shifts.indexOf(s) + 1) % shifts.length]
  const startLocal = startDay + s.min * 60_000
  const endLocal = next.min > s.min ? startDay + next.min * 60_000 : startDay + DAY_MS + next.min * 60_000
  const { epoch, cycle, crews } = people.rotation
  const day = Math.round((startDay - Date.parse(`${epoch}T00:00:00Z`)) / DAY_MS)
  const n = cycle.length
  const crew = Object.entries(crews).find(([, off]) => cycle[(((day + off) % n) + n) % n] === s.id)?.[0]
  return {
    shiftId: s.id,
    ...(crew !== undefined && { crew }),
    date: new Date(startDay).toISOString().slice(0, 10),
    start: wallToUtc(startLocal, offset, timeZone),
    end: wallToUtc(endLocal, offset, timeZone),
  }
}

/**
 * A plant-local wall-clock time (as if UTC) → epoch ms. The offset at `t` is the first guess;
 * a shift boundary across a daylight-saving change has the other offset, so check and retry.
 * A wall time skipped by the change (02:30 on a spring-forward night) lands just after it.
 */
function wallToUtc(local: number, guess: number, timeZone: string): number {
  let t = local - guess
  for (let i = 0; i < 2; i++) {
    const off = wallClock(t, timeZone) - t
    if (t + off === local) return t
    t = local - off
  }
  return t
}

/** Every shift overlapping [from, to), in order (reports per shift, the routing tests). */
export function shiftsBetween(from: number, to: number, people: Rotation, timeZone: string): ShiftSlot[] {
  const out: ShiftSlot[] = []
  if (to <= from) return out
  for (let s = shiftAt(from, people, timeZone); s.start < to && out.length < 100_000; s = shiftAt(s.end, people, timeZone)) out.push(s)
  return out
}
