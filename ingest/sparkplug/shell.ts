// The Sparkplug B side of ingest's accept(): decode and name (index.ts), then the side effects
// that do not wait for the store — death certificates to the rules, readings to the
// listeners, a rebirth request to a node ingest cannot follow. ingest/index.ts stores the
// points and keeps the dead letters exactly as for JSON.
import { Counter, type Registry } from 'prom-client'
import type { Logger } from '../../core/log.ts'
import type { Plant } from '../../core/plant.ts'
import { DataType, encodePayload, parseSparkplugTopic, REBIRTH_METRIC } from '../../core/sparkplug-b.ts'
import type { DecodeLimits } from '../decode.ts'
import { createSparkplugDecoder, type SparkplugResult } from './index.ts'
import { DEFAULT_MAPPING, type SparkplugMapping } from './mapping.ts'

export interface SparkplugShellContext {
  plant: Plant
  mapping?: SparkplugMapping
  limits: DecodeLimits
  log: Logger
  metrics: Registry
  onReadings?: (line: string, equipment: string, ts: number, values: Readonly<Record<string, number>>) => void
  onStale?: (line: string, equipment: string, at: number) => void
  sendCommand?: (topic: string, payload: Uint8Array) => void
}

/** Returns the decoded message after its side effects, or undefined for what is not an edge node's (NCMD, DCMD, STATE). */
export function sparkplugShell(ctx: SparkplugShellContext): (topic: string, payload: Uint8Array, at: number) => SparkplugResult | undefined {
  const { log } = ctx
  const skipped = new Counter({
    name: 'mw_ingest_sparkplug_skipped_total',
    help: 'Sparkplug B metrics not stored and not errors (null, strings, DataSets, control, unmapped node metrics), seq gaps and ignored old deaths',
    labelNames: ['why'],
    registers: [ctx.metrics],
  })
  const decoder = createSparkplugDecoder(ctx.plant, ctx.mapping ?? DEFAULT_MAPPING, ctx.limits, (why) => skipped.inc({ why }))
  const rebirth = encodePayload({ timestamp: 0, metrics: [{ name: REBIRTH_METRIC, datatype: DataType.Boolean, boolean_value: true }] })

  return (topic, payload, at) => {
    const t = parseSparkplugTopic(topic)
    if (t.kind !== 'edge') return undefined
    const r = decoder.accept(t, payload, at)
    if (r.rebirth && ctx.sendCommand) {
      log.info({ topic: r.rebirth }, 'asking a Sparkplug edge node for a rebirth')
      ctx.sendCommand(r.rebirth, rebirth)
    }
    try {
      for (const s of r.stale) ctx.onStale?.(s.line, s.equipment, at)
      for (const x of r.readings) ctx.onReadings?.(x.line, x.equipment, x.ts, x.values)
    } catch (err) {
      log.error({ err, topic }, 'a readings or stale listener threw; the readings are stored anyway')
    }
    return r
  }
}
