// The readings tap: when ingest runs in other processes (ROLES, issue 7), the parts that need
// every reading — the alarm rules, the live view — subscribe to all telemetry themselves (not
// through the shared subscription, which gives each subscriber only a share) and decode it
// here without storing it. Rejected messages are not dead-lettered here: the ingest workers
// that store the telemetry already keep them.
import type { Config } from '../core/config.ts'
import type { Logger } from '../core/log.ts'
import type { Plant } from '../core/plant.ts'
import { parseTopic } from '../core/topics.ts'
import { decodeTelemetry } from './decode.ts'
import type { Ingest, ReadingsListener } from './index.ts'

export interface TapContext {
  plant: Plant
  settings: Config['ingest']
  log: Logger
  onReadings: ReadingsListener
  /**
   * Resolves once the alarm changes the readings made are stored: the PUBACK waits for it, so
   * a process killed in between gets the message again (or its standby does) and no alarm
   * change the broker forgot about is lost.
   */
  alarmsStored?: () => Promise<void>
  /** handles what is not telemetry (coil events, to be stored) */
  other?: Pick<Ingest, 'accept'>
  now?: () => number
}

/** An `accept` for connectExternalSource: telemetry feeds the listener, the rest goes to `other`. */
export function readingsTap(ctx: TapContext): Pick<Ingest, 'accept'> {
  const now = ctx.now ?? Date.now
  const log = ctx.log.child({ part: 'tap' })
  return {
    accept(topic, payload, clientId) {
      const t = parseTopic(topic)
      if (t.kind !== 'telemetry') return ctx.other?.accept(topic, payload, clientId)
      // The listeners take the message's values: no Point per reading.
      const r = decodeTelemetry(ctx.plant, t.line, t.equipment, payload, now(), ctx.settings, false)
      if (r.count === 0) return undefined
      try {
        ctx.onReadings(t.line, t.equipment, r.ts!, r.values!)
      } catch (err) {
        log.error({ err, topic }, 'a readings listener threw')
      }
      // The readings themselves are stored by the ingest workers; only the alarms are waited for.
      return ctx.alarmsStored?.()
    },
  }
}
