// Timestamps on the wire and in query strings: epoch milliseconds or ISO 8601 (DESIGN.md).
// Date.parse alone accepts far too much ("1", "May 5"), so ISO strings are matched first.

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/
/** Years 2000–2200 in epoch ms: anything else is a unit mistake (seconds, µs) or garbage. */
const MIN_MS = 946_684_800_000
const MAX_MS = 7_258_118_400_000

/** A wire timestamp (number or string) → epoch ms, or undefined if it is not one. */
export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= MIN_MS && v <= MAX_MS ? Math.round(v) : undefined
  if (typeof v !== 'string' || v.length > 40) return undefined
  if (/^\d{1,15}$/.test(v)) return parseTimestamp(Number(v))
  if (!ISO_8601.test(v)) return undefined
  const ms = Date.parse(v)
  return Number.isNaN(ms) ? undefined : parseTimestamp(ms)
}
