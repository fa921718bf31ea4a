// Runs the pure mill model over a stretch of simulated time and keeps what it said, as
// series per sensor: for tests, benchmarks and anyone checking a scenario without a broker.
import type { CoilEventPayload, TelemetryPayload } from '../core/payloads.ts'
import { BASE_HZ } from './catalog.ts'
import { createMill, type Message, type MillOptions } from './mill.ts'

export interface Sample {
  ts: number
  v: number
}

export interface Recording {
  messages: Message[]
  /** Every reading of one sensor, in time order. */
  series(equipment: string, sensor: string, line?: string): Sample[]
  coilEvents(line?: string): CoilEventPayload[]
  /** Telemetry messages of one piece of equipment. */
  telemetry(equipment: string, line?: string): TelemetryPayload[]
}

export function record(opts: MillOptions, durationMs: number): Recording {
  const mill = createMill(opts)
  const period = 1000 / (opts.rateHz ?? BASE_HZ)
  const messages: Message[] = []
  for (let k = 0; k * period < durationMs; k++) {
    for (const m of mill.step(opts.startMs + Math.round(k * period))) messages.push(m)
  }
  const telemetry = (equipment: string, line = 'tcm1') => {
    const topic = `plant/${line}/${equipment}/telemetry`
    return messages.filter((m) => m.topic === topic).map((m) => m.payload as TelemetryPayload)
  }
  return {
    messages,
    telemetry,
    series: (equipment, sensor, line) =>
      telemetry(equipment, line)
        .filter((p) => p.values[sensor] !== undefined)
        .map((p) => ({ ts: p.ts as number, v: p.values[sensor] })),
    coilEvents: (line = 'tcm1') => messages.filter((m) => m.topic === `plant/${line}/coil`).map((m) => m.payload as CoilEventPayload),
  }
}
