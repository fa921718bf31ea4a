// The live hub behind the line's live view: ingest hands it every message's valid readings
// (before they are stored, like the alarm rules), it keeps the newest value of each series and,
// every `intervalMs`, sends each line's subscribers one frame of what changed. Pushing from the
// readings (not polling the store) keeps the update delay to the broadcast interval plus the
// network; one frame per interval bounds the work however fast readings arrive.
import type { ReadingsListener } from '../ingest/index.ts'

/** One series' newest reading: [reading time (epoch ms), value]. */
export type LiveValue = [ts: number, value: number]

/**
 * What a subscriber receives (SSE event `values`, see GET /api/live/stream):
 * `values` maps "equipment/sensor" to its newest reading; the first frame after subscribing
 * holds every series seen so far (`snapshot: true`), later ones only those that changed.
 */
export interface LiveFrame {
  line: string
  /** when the hub sent the frame (epoch ms), so a client can tell the hub's share of the delay */
  sentAt: number
  snapshot: boolean
  values: Record<string, LiveValue>
}

export interface LiveHub {
  onReadings: ReadingsListener
  /** Frames of one line as JSON text; returns the unsubscribe function. */
  subscribe(line: string, send: (frameJson: string) => void): () => void
  subscribers(): number
  close(): void
}

interface Entry {
  /** "equipment/sensor", as frames name it */
  readonly key: string
  ts: number
  value: number
  dirty: boolean
}

export interface LiveHubOptions {
  /** broadcast interval; 250–500 ms keeps the live view well within a 1 s update delay */
  intervalMs?: number
  /** at most this many series in one frame; the rest go in the next (bounds a frame's cost) */
  maxSeriesPerFrame?: number
  now?: () => number
}

export function startLiveHub(opts: LiveHubOptions = {}): LiveHub {
  const intervalMs = opts.intervalMs ?? 250
  const maxSeries = opts.maxSeriesPerFrame ?? 5000
  const now = opts.now ?? Date.now
  // line → equipment → sensor → newest reading: one map lookup per value on the hot path.
  // Entries are mutated in place: a steady stream of readings allocates nothing here.
  const lines = new Map<string, Map<string, Map<string, Entry>>>()
  const subs = new Map<string, Set<(json: string) => void>>()
  let timer: NodeJS.Timeout | undefined
  let closed = false

  const onReadings: ReadingsListener = (line, equipment, ts, values) => {
    let byEquipment = lines.get(line)
    if (!byEquipment) lines.set(line, (byEquipment = new Map()))
    let series = byEquipment.get(equipment)
    if (!series) byEquipment.set(equipment, (series = new Map()))
    for (const sensor in values) {
      const e = series.get(sensor)
      if (!e) series.set(sensor, { key: `${equipment}/${sensor}`, ts, value: values[sensor], dirty: true })
      else if (ts >= e.ts) {
        e.ts = ts
        e.value = values[sensor]
        e.dirty = true
      }
    }
  }

  /** The series of a line that changed since the last frame, or undefined when none did. */
  function changes(line: string): string | undefined {
    const byEquipment = lines.get(line)
    if (!byEquipment) return undefined
    const values: Record<string, LiveValue> = {}
    let n = 0
    for (const series of byEquipment.values()) {
      for (const e of series.values()) {
        if (!e.dirty) continue
        if (n >= maxSeries) break
        values[e.key] = [e.ts, e.value]
        e.dirty = false
        n++
      }
    }
    return n === 0 ? undefined : JSON.stringify({ line, sentAt: now(), snapshot: false, values } satisfies LiveFrame)
  }

  function broadcast() {
    for (const [line, set] of subs) {
      const json = changes(line)
      if (json === undefined) continue
      for (const send of set) send(json)
    }
  }

  return {
    onReadings,
    subscribe(line, send) {
      if (closed) return () => {}
      let set = subs.get(line)
      if (!set) subs.set(line, (set = new Set()))
      set.add(send)
      // The snapshot is built for this subscriber only: it must not clear others' dirty marks.
      const values: Record<string, LiveValue> = {}
      for (const series of lines.get(line)?.values() ?? []) for (const e of series.values()) values[e.key] = [e.ts, e.value]
      send(JSON.stringify({ line, sentAt: now(), snapshot: true, values } satisfies LiveFrame))
      timer ??= setInterval(broadcast, intervalMs)
      return () => {
        set.delete(send)
        if (set.size === 0) subs.delete(line)
        if (subs.size === 0 && timer) {
          clearInterval(timer)
          timer = undefined
        }
      }
    },
    subscribers: () => [...subs.values()].reduce((n, s) => n + s.size, 0),
    close() {
      closed = true
      if (timer) clearInterval(timer)
      timer = undefined
      subs.clear()
    },
  }
}
