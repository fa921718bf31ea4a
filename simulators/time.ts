// Durations and instants as people type them on a command line: "90s", "5m", "1h30m",
// "-2h" (two hours ago), "now", or ISO 8601.
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y

/** "250ms", "90s", "5m", "1h30m", "2d" → milliseconds; undefined when it is not one. */
export function parseDurationMs(text: string): number | undefined {
  const s = text.trim()
  if (s === '') return undefined
  if (/^\d+$/.test(s)) return undefined // a bare number has no unit: refuse rather than guess
  let total = 0
  PART.lastIndex = 0
  while (PART.lastIndex < s.length) {
    const at = PART.lastIndex
    const m = PART.exec(s)
    if (!m || m.index !== at) return undefined
    total += Number(m[1]) * UNIT_MS[m[2]]
  }
  return Number.isFinite(total) ? Math.round(total) : undefined
}

/** "now", "-2h" (relative to now), epoch milliseconds or ISO 8601 → epoch ms. */
export function parseInstant(text: string, nowMs: number): number | undefined {
  const s = text.trim()
  if (s === 'now') return nowMs
  if (s.startsWith('-')) {
    const d = parseDurationMs(s.slice(1))
    return d === undefined ? undefined : nowMs - d
  }
  if (/^\d{12,}$/.test(s)) return Number(s)
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return undefined
  const ms = Date.parse(s)
  return Number.isNaN(ms) ? undefined : ms
}

/** 75_000 → "1m15s", for logs and the progress line. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?'
  const s = Math.max(0, Math.round(ms / 1000))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`
}
