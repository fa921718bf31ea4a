// The periods a KPI table is split into (issue 6: per hour, shift, day, crew), in the plant's
// time zone. A period is one or more windows [from, to): an hour, a shift or a day is one
// window; a crew is every shift it worked in the range. Pure; shifts and crews come from
// people.yaml through core/shifts.ts. Every figure counts an event in the window it fell in
// (a coil in the period where it finished), so periods never share a coil or an alarm.
import { shiftsBetween, type ShiftSlot } from '../../core/shifts.ts'
import type { PeopleFile } from '../../core/people.ts'

export const PERIOD_KINDS = ['hour', 'shift', 'day', 'crew'] as const
export type PeriodKind = (typeof PERIOD_KINDS)[number]

export interface Window {
  from: number
  to: number
}

export interface Period {
  /** stable key, e.g. `2025-11-24T08`, `2025-11-24/day`, `2025-11-24`, `A` */
  key: string
  /** human-readable in plant time, e.g. `2025-11-24 08:00`, `2025-11-24 day · crew A` */
  label: string
  /** the first window's start and the last window's end */
  from: number
  to: number
  windows: Window[]
  crew?: string
  shift?: string
}

type Rotation = Pick<PeopleFile, 'shifts' | 'rotation'>
const HOUR = 3_600_000
const fmt = new Map<string, Intl.DateTimeFormat>()

/** Plant-local calendar fields of an instant. */
export function local(t: number, timeZone: string): { date: string; hh: string; mm: string } {
  let f = fmt.get(timeZone)
  if (!f) fmt.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })))
  const p: Record<string, string> = {}
  for (const part of f.formatToParts(new Date(t))) p[part.type] = part.value
  return { date: `${p.year}-${p.month}-${p.day}`, hh: p.hour, mm: p.minute }
}

/** `yyyy-mm-dd hh:mm` in plant time. */
export const localTime = (t: number, timeZone: string) => {
  const l = local(t, timeZone)
  return `${l.date} ${l.hh}:${l.mm}`
}

/** The zone's offset from UTC at `t`, ms. */
function offsetAt(t: number, timeZone: string): number {
  const l = local(t, timeZone)
  const wall = Date.parse(`${l.date}T${l.hh}:${l.mm}:00Z`)
  return wall - (t - (((t % 60_000) + 60_000) % 60_000))
}

/** The plant-local midnight that starts the day containing `t`. */
export function startOfLocalDay(t: number, timeZone: string): number {
  const midnightWall = Date.parse(`${local(t, timeZone).date}T00:00:00Z`)
  let guess = midnightWall - offsetAt(t, timeZone)
  guess = midnightWall - offsetAt(guess, timeZone) // the offset may differ at midnight (DST)
  return guess
}

const clip = (w: Window | ShiftSlot, from: number, to: number): Window =>
  'start' in w ? { from: Math.max(w.start, from), to: Math.min(w.end, to) } : { from: Math.max(w.from, from), to: Math.min(w.to, to) }

/** Hours that start at a plant-local full hour (zones with half-hour offsets included). */
function hours(from: number, to: number, tz: string): Period[] {
  const out: Period[] = []
  const first = from - (((from + offsetAt(from, tz)) % HOUR) + HOUR) % HOUR
  for (let t = first; t < to && out.length < 100_000; t += HOUR) {
    const l = local(t, tz)
    const w = clip({ from: t, to: t + HOUR }, from, to)
    out.push({ key: `${l.date}T${l.hh}`, label: `${l.date} ${l.hh}:00`, ...w, windows: [w] })
  }
  return out
}

function days(from: number, to: number, tz: string): Period[] {
  const out: Period[] = []
  for (let t = startOfLocalDay(from, tz); t < to && out.length < 100_000; ) {
    const next = startOfLocalDay(t + 36 * HOUR, tz) // 36 h lands in the next day even on a 23/25-hour day
    const date = local(t, tz).date
    const w = clip({ from: t, to: next }, from, to)
    out.push({ key: date, label: date, ...w, windows: [w] })
    t = next
  }
  return out
}

const shiftLabel = (s: ShiftSlot) => `${s.date} ${s.shiftId}${s.crew ? ` · crew ${s.crew}` : ''}`

/** Splits [from, to) into periods, oldest first (`crew`: one period per crew, by crew name). */
export function periods(kind: PeriodKind, from: number, to: number, people: Rotation, timeZone: string): Period[] {
  if (to <= from) return []
  if (kind === 'hour') return hours(from, to, timeZone)
  if (kind === 'day') return days(from, to, timeZone)
  const slots = shiftsBetween(from, to, people, timeZone)
  if (kind === 'shift')
    return slots.map((s) => {
      const w = clip(s, from, to)
      return { key: `${s.date}/${s.shiftId}`, label: shiftLabel(s), ...w, windows: [w], shift: s.shiftId, ...(s.crew && { crew: s.crew }) }
    })
  const byCrew = new Map<string, Window[]>()
  for (const s of slots) {
    if (!s.crew) continue
    const list = byCrew.get(s.crew) ?? []
    list.push(clip(s, from, to))
    byCrew.set(s.crew, list)
  }
  return [...byCrew]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([crew, windows]) => ({ key: crew, label: `crew ${crew}`, from: windows[0].from, to: windows[windows.length - 1].to, windows, crew }))
}

/** The windows of [from, to) worked by a crew and/or on a shift (the overview's filters). */
export function filteredWindows(from: number, to: number, filter: { crew?: string; shift?: string }, people: Rotation, timeZone: string): Window[] {
  if (!filter.crew && !filter.shift) return [{ from, to }]
  return shiftsBetween(from, to, people, timeZone)
    .filter((s) => (!filter.crew || s.crew === filter.crew) && (!filter.shift || s.shiftId === filter.shift))
    .map((s) => clip(s, from, to))
}

/** Index of the window holding `t` in sorted, disjoint windows, or -1 (binary search). */
export function windowOf(windows: readonly Window[], t: number): number {
  let lo = 0
  let hi = windows.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (t < windows[mid].from) hi = mid - 1
    else if (t >= windows[mid].to) lo = mid + 1
    else return mid
  }
  return -1
}

export const windowMinutes = (windows: readonly Window[]) => windows.reduce((m, w) => m + (w.to - w.from), 0) / 60_000

/** The items of `sorted` (ascending by `at`) that fall in the windows: a binary search per window. */
export function inWindows<T>(sorted: readonly T[], at: (item: T) => number, windows: readonly Window[]): T[] {
  const first = (t: number) => {
    let lo = 0
    let hi = sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (at(sorted[mid]) < t) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  const out: T[] = []
  for (const w of windows) for (let i = first(w.from), end = first(w.to); i < end; i++) out.push(sorted[i])
  return out
}

/** Per input array, its copy sorted by `at` (computed once: a table of 720 hours reuses it). */
export function sortedBy<T extends object>(cache: WeakMap<readonly T[], T[]>, items: readonly T[], at: (item: T) => number): T[] {
  let s = cache.get(items)
  if (!s) cache.set(items, (s = [...items].sort((a, b) => at(a) - at(b))))
  return s
}

/** The parts of `a` inside `b` (both sorted and disjoint). */
export function intersect(a: readonly Window[], b: readonly Window[]): Window[] {
  const out: Window[] = []
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const from = Math.max(a[i].from, b[j].from)
    const to = Math.min(a[i].to, b[j].to)
    if (from < to) out.push({ from, to })
    if (a[i].to < b[j].to) i++
    else j++
  }
  return out
}
