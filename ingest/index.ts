// Ingest: device message → decode → validate against the plant model → store. It is fed by
// the embedded broker (before the PUBACK, so an acknowledgement means "durable") or by a
// subscription on an external broker (ingest/external.ts).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { Config } from '../core/config.ts'
import type { Logger } from '../core/log.ts'
import type { Plant } from '../core/plant.ts'
import { parseTopic } from '../core/topics.ts'
import { isSparkplugTopic } from '../core/sparkplug-b.ts'
import type { RecordsStore, TimeSeriesStore } from '../store/types.ts'
import { decodeCoilEvent, decodeTelemetry, type DecodeLimits } from './decode.ts'
import { DeadLetters } from './dead-letters.ts'
import type { Reject } from './reasons.ts'
import type { SparkplugMapping } from './sparkplug/mapping.ts'
import { sparkplugShell } from './sparkplug/shell.ts'

/** Valid readings of one message, before they are stored (the rules engine listens here). */
export type ReadingsListener = (line: string, equipment: string, ts: number, values: Readonly<Record<string, number>>) => void
/** A Sparkplug B death certificate: the equipment's data is stale as of `at` (the stale-sensor rules need not wait). */
export type StaleListener = (line: string, equipment: string, at: number) => void

export interface IngestContext {
  plant: Plant
  settings: Config['ingest']
  log: Logger
  timeseries: TimeSeriesStore
  records: RecordsStore
  metrics: Registry
  now?: () => number
  /** Called synchronously with each message's valid readings, so alarms never wait for the store. */
  onReadings?: ReadingsListener
  /** Sparkplug B edge nodes and devices → lines and equipment (default: the same names) */
  sparkplug?: SparkplugMapping
  onStale?: StaleListener
  /** Publishes a command to a device (a Sparkplug rebirth request), when the process can. */
  sendCommand?: (topic: string, payload: Uint8Array) => void
}

export interface Ingest {
  /**
   * Takes one message. Returns a promise that resolves once what it carried is durable, or
   * undefined when there is nothing to wait for (not a topic ingest stores, or rejected and
   * kept as a dead letter). The promise rejects only if the store failed: the message must
   * then not be acknowledged, so the device sends it again.
   */
  accept(topic: string, payload: Uint8Array, clientId?: string): Promise<void> | undefined
  deadLetters: DeadLetters
  stats(): { messages: number; points: number; deadLetters: number }
  close(): Promise<void>
}

export function startIngest(ctx: IngestContext): Ingest {
  const log = ctx.log.child({ part: 'ingest' })
  const now = ctx.now ?? Date.now
  const limits: DecodeLimits = ctx.settings
  const deadLetters = new DeadLetters(ctx.settings.deadLetterCapacity, log, now)
  // The per-message counts are plain numbers read when /metrics is scraped: a prom-client
  // inc() per message costs more than a scrape's worth of work at full rate.
  const kinds = { telemetry: 0, coil: 0, sparkplug: 0 }
  const messageCount = () => kinds.telemetry + kinds.coil + kinds.sparkplug
  const m = {
    messages: new Counter({
      name: 'mw_ingest_messages_total',
      help: 'MQTT messages received by ingest, by kind',
      labelNames: ['kind'],
      registers: [ctx.metrics],
      collect() {
        this.reset()
        for (const [kind, n] of Object.entries(kinds)) this.labels(kind).inc(n)
      },
    }),
    points: new Counter({
      name: 'mw_ingest_points_total',
      help: 'Valid readings handed to the time-series store',
      registers: [ctx.metrics],
      collect() {
        this.reset()
        this.inc(points)
      },
    }),
    dead: new Counter({ name: 'mw_ingest_dead_letters_total', help: 'Rejected messages or values, by reason', labelNames: ['reason'], registers: [ctx.metrics] }),
    durable: new Histogram({
      name: 'mw_ingest_write_seconds',
      help: 'Time from receipt to durable commit of a message (group commit latency)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [ctx.metrics],
    }),
  }
  new Gauge({
    name: 'mw_store_pending_points',
    help: 'Readings accepted by the store and not yet committed (the write queue depth)',
    registers: [ctx.metrics],
    collect() {
      this.set(ctx.timeseries.stats().pending)
    },
  })
  new Gauge({
    name: 'mw_store_last_commit_seconds',
    help: 'Duration of the last batch commit in the time-series store',
    registers: [ctx.metrics],
    collect() {
      this.set(ctx.timeseries.stats().lastBatchMs / 1000)
    },
  })
  let points = 0
  let dead = 0
  let closed = false

  function reject(topic: string, payload: Uint8Array, rejects: Reject[], at: number, clientId?: string) {
    for (const r of rejects) m.dead.inc({ reason: r.reason })
    dead += rejects.length
    deadLetters.add(topic, payload, rejects, at, clientId)
  }

  // The histogram follows one message in 16: a promise chained to every message would cost
  // more than the rest of ingest on the hot path, and the sample shows the same distribution.
  // The write's own promise is returned (the broker waits on a group commit's one promise for
  // all its publishes); the sample watches it beside.
  function durable(write: Promise<void>, started: number): Promise<void> {
    if ((messageCount() & 15) === 0) write.then(() => m.durable.observe((now() - started) / 1000), () => {})
    return write
  }
  const sparkplug = sparkplugShell({ ...ctx, mapping: ctx.sparkplug, limits, log })

  // Sparkplug B (ingest/sparkplug/): the same validation, listeners and store path as JSON.
  function acceptSparkplug(topic: string, payload: Uint8Array, at: number, clientId?: string): Promise<void> | undefined {
    const r = sparkplug(topic, payload, at)
    if (!r) return undefined // NCMD, DCMD, STATE: not ingest's
    kinds.sparkplug++
    if (r.rejects.length) reject(topic, payload, r.rejects, at, clientId)
    if (r.points.length === 0) return undefined
    points += r.points.length
    return durable(ctx.timeseries.write(r.points), at)
  }

  function accept(topic: string, payload: Uint8Array, clientId?: string): Promise<void> | undefined {
    if (isSparkplugTopic(topic)) return acceptSparkplug(topic, payload, now(), clientId)
    const t = parseTopic(topic)
    if (t.kind !== 'telemetry' && t.kind !== 'coil') return undefined
    const at = now()
    if (t.kind === 'telemetry') {
      kinds.telemetry++
      const store = ctx.timeseries
      const r = decodeTelemetry(ctx.plant, t.line, t.equipment, payload, at, limits, !store.writeReadings)
      if (r.rejects.length) reject(topic, payload, r.rejects, at, clientId)
      if (r.count === 0) return undefined
      if (ctx.onReadings) {
        try {
          ctx.onReadings(t.line, t.equipment, r.ts!, r.values!)
        } catch (err) {
          log.error({ err, topic }, 'a readings listener threw; the readings are stored anyway')
        }
      }
      points += r.count
      // The store takes the message's readings as they are when it can (no Point per reading).
      return durable(store.writeReadings ? store.writeReadings(t.line, t.equipment, r.ts!, r.values!) : store.write(r.points), at)
    }
    kinds.coil++
    const r = decodeCoilEvent(ctx.plant, t.line, payload, at, limits)
    if (r.reject) {
      reject(topic, payload, [r.reject], at, clientId)
      return undefined
    }
    // Telemetry points are fully validated above, so the store refuses them only when it is
    // failing (the device must resend). A coil event's attributes are free-form: should the
    // store refuse them for good (a 4xx), the event becomes a dead letter and is acknowledged —
    // refusing it would make the gateway resend it forever, and nothing after it would flow.
    const event = r.event!
    return durable(
      ctx.records.appendCoilEvents([event]).catch((err: { statusCode?: number; message: string }) => {
        if (!(err.statusCode && err.statusCode < 500)) throw err
        reject(topic, payload, [{ reason: 'bad_shape', detail: `the records store refused the event: ${err.message.slice(0, 200)}` }], at, clientId)
      }),
      at,
    )
  }

  return {
    accept,
    deadLetters,
    stats: () => ({ messages: messageCount(), points, deadLetters: dead }),
    async close() {
      if (closed) return
      closed = true
      log.debug('ingest closed')
    },
  }
}
