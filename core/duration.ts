// "250ms", "20s", "5m", "1h", "30d" → milliseconds. Used by config and query parameters.
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim())
  if (!m) return undefined
  const ms = Number(m[1]) * UNITS[m[2]]
  // Beyond 2^53 ms integers are no longer exact, and no period of a plant is that long.
  return Number.isFinite(ms) && ms <= Number.MAX_SAFE_INTEGER ? Math.round(ms) : undefined
}
