// Sparkplug B messages → the same points, rejects and readings as JSON telemetry
// (ingest/decode.ts): decode the protobuf (decode.ts), name the metrics through the node's
// birth certificates (sessions.ts), map them onto the plant model (mapping.ts) and validate
// each value with the JSON path's own check. Pure apart from the session state it keeps.
import type { Plant } from '../../core/plant.ts'
import type { Point } from '../../core/payloads.ts'
import { sparkplugTopic, type SparkplugTopic } from '../../core/sparkplug-b.ts'
import { checkReading, messageTime, type DecodeLimits } from '../decode.ts'
import type { Reject } from '../reasons.ts'
import { decodeSparkplug, metricValue } from './decode.ts'
import type { SparkplugMapping, Target } from './mapping.ts'
import { SparkplugSessions } from './sessions.ts'

export interface Readings {
  line: string
  equipment: string
  ts: number
  values: Record<string, number>
}

export interface SparkplugResult {
  points: Point[]
  rejects: Reject[]
  /** current (not historical) valid readings, one entry per equipment and time: what the rules see */
  readings: Readings[]
  /** equipment whose data is stale from `at` on (a death certificate) */
  stale: { line: string; equipment: string }[]
  /** an NCMD topic on which to ask the node for a rebirth, at most every REBIRTH_EVERY_MS per node */
  rebirth?: string
}

/** Metrics that are not telemetry but Sparkplug's own (rebirth, scan rate, bdSeq…). */
const isControl = (name: string) => name === 'bdSeq' || name.startsWith('Node Control/') || name.startsWith('Device Control/') || name.startsWith('Properties/')

const REBIRTH_EVERY_MS = 10_000

export type SkipCounter = (why: 'null' | 'not_telemetry' | 'structured' | 'control' | 'unmapped' | 'seq_gap' | 'old_death') => void

export function createSparkplugDecoder(plant: Plant, mapping: SparkplugMapping, limits: DecodeLimits, count: SkipCounter = () => {}) {
  const sessions = new SparkplugSessions()
  const rebirthAsked = new Map<string, number>()

  function accept(t: Extract<SparkplugTopic, { kind: 'edge' }>, payload: Uint8Array, at: number): SparkplugResult {
    const out: SparkplugResult = { points: [], rejects: [], readings: [], stale: [] }
    if (payload.byteLength > limits.maxPayloadBytes) {
      out.rejects.push({ reason: 'oversized', detail: `payload of ${payload.byteLength} bytes exceeds ${limits.maxPayloadBytes}` })
      return out
    }
    const d = decodeSparkplug(payload)
    if (!d.payload) {
      out.rejects.push({ reason: 'malformed_protobuf', detail: d.error! })
      return out
    }
    const applied = sessions.apply(t.group, t.edge, t.type, t.device, d.payload)
    if (applied.seqGap) count('seq_gap')
    if (applied.oldDeath) count('old_death')
    for (const p of applied.problems) out.rejects.push({ reason: p.reason, detail: p.detail })
    if (applied.problems.length) {
      const key = `${t.group}/${t.edge}`
      if (!(at - (rebirthAsked.get(key) ?? -Infinity) < REBIRTH_EVERY_MS)) {
        rebirthAsked.set(key, at)
        out.rebirth = sparkplugTopic(t.group, 'NCMD', t.edge)
      }
    }
    for (const device of applied.offline) {
      const target = mapping.target(t.group, t.edge, device)
      if (target && plant.lines.get(target.line)?.equipment.has(target.equipment)) out.stale.push({ line: target.line, equipment: target.equipment })
    }
    if (applied.metrics.length === 0) return out

    const target = mapping.target(t.group, t.edge, t.device)
    const eq = target && plant.lines.get(target.line)?.equipment.get(target.equipment)
    if (!target || !eq) {
      // The node's own metrics without a mapping are gateway diagnostics: counted, not dead letters.
      if (!target) applied.metrics.forEach((m) => count(isControl(m.name) ? 'control' : 'unmapped'))
      else if (!plant.lines.has(target.line)) out.rejects.push({ reason: 'unknown_line', detail: `no line "${target.line}" in the plant model (Sparkplug group ${t.group})` })
      else out.rejects.push({ reason: 'unknown_equipment', detail: `no equipment "${target.equipment}" on line "${target.line}" (Sparkplug device ${t.device ?? t.edge})` })
      return out
    }
    const fallback = d.payload.ts
    const current = new Map<number, Record<string, number>>()
    let messageTs: ReturnType<typeof messageTime> | undefined
    for (const { name, datatype, metric } of applied.metrics) {
      if (isControl(name)) {
        count('control')
        continue
      }
      const v = metricValue(metric.raw, datatype)
      if (v.kind === 'skip') {
        count(v.why)
        continue
      }
      const sensor = sensorOf(target, name)
      if (v.kind === 'wrong_datatype') {
        out.rejects.push({ reason: 'wrong_datatype', sensor, detail: `metric "${name.slice(0, 64)}": ${v.detail}` })
        continue
      }
      // Most metrics carry no time of their own: the message's is checked once.
      const time = metric.ts === undefined ? (messageTs ??= messageTime(fallback, at, limits)) : messageTime(metric.ts, at, limits)
      if (time.reject) {
        out.rejects.push({ ...time.reject, sensor })
        continue
      }
      const bad = checkReading(eq, target.line, sensor, v.value)
      if (bad) {
        out.rejects.push(bad)
        continue
      }
      const ts = time.ts!
      out.points.push({ line: target.line, equipment: target.equipment, sensor, ts, value: v.value })
      if (metric.historical) continue // history fills the store; the rules judge the present
      let values = current.get(ts)
      if (!values) current.set(ts, (values = {}))
      values[sensor] = v.value
    }
    for (const [ts, values] of current) out.readings.push({ line: target.line, equipment: target.equipment, ts, values })
    if (out.readings.length > 1) out.readings.sort((a, b) => a.ts - b.ts)
    return out
  }

  return { accept, sessions }
}

const sensorOf = (target: Target, metric: string) => target.metrics.get(metric) ?? metric
