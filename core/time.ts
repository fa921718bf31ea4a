// Timestamps on the wire and in query strings: epoch milliseconds or ISO 8601 (DESIGN.md).
// Date.parse alone accepts far too much ("1", "May 5"), reads a time without a zone in the
// host's zone (the same payload would be stored hours apart on two servers), and rolls
// impossible dates over (Nov 31 → Dec 1): so the string is matched and checked here, and a
// time of day must say its zone (Z or ±hh:mm). A bare date is midnight UTC.

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/
/** Years 2000–2200 in epoch ms: anything else is a unit mistake (seconds, µs) or garbage. */
const MIN_MS = 946_684_800_000
const MAX_MS = 7_258_118_400_000

/** A wire timestamp (number or string) → epoch ms, or undefined if it is not one. */
export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= MIN_MS && v <= MAX_MS ? Math.round(v) : undefined
  if (typeof v !== 'string' || v.length > 40) return undefined
  if (/^\d{1,15}$/.test(v)) return parseTimestamp(Number(v))
  const m = ISO_8601.exec(v)
  if (!m) return undefined
  const [, y, mo, d, hh = '0', mi = '0', ss = '0', frac = '', zone = 'Z'] = m
  const [year, month, day, hour, minute, second] = [y, mo, d, hh, mi, ss].map(Number)
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const local = Date.UTC(year, month - 1, day, hour, minute, second)
  const back = new Date(local)
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined
  const offsetMin = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)))
  const ms = local - offsetMin * 60_000 + (frac ? Math.round(Number(frac) * 1000) : 0)
  return parseTimestamp(ms)
}
