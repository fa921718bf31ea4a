// The simulator's shell: it drives the pure mill model with a clock and publishes what it
// says over MQTT, like a plant gateway would — any broker, TCP_NODELAY, reconnection, and
// bounded buffering. When the broker is slower than the generator, a live run drops ticks
// (the model still advances, so the plant stays the same) and counts them; a backfill pauses
// instead, since nothing forces it to keep up with a wall clock.
import type { Logger } from 'pino'
import type { TelemetryPayload } from '../core/payloads.ts'
import { BASE_HZ } from './catalog.ts'
import type { FaultSpec } from './fault-spec.ts'
import { createMill } from './mill.ts'
import { connect, endClient, redact, type Conn } from './gateway.ts'
import { SparkplugEdge, type SpMessage } from './sparkplug.ts'
import { connectEdge } from './sparkplug-link.ts'
import { SimClock, type ClockMode } from './sim-clock.ts'

export interface SimulatorOptions {
  /** Broker URL: mqtt://, mqtts://, ws:// or wss:// (credentials may be in it). */
  url: string
  seed?: number
  /** Simulated seconds per wall-clock second when live (default 1). */
  speed?: number
  /** Lines tcm1 … tcmN (default 1). */
  lines?: number
  /** Ticks per second (default 10); every sensor's rate scales with it. */
  rateHz?: number
  qos?: 0 | 1
  /** e.g. ["bearing-wear:stand3@5m+20m", "stuck-sensor:stand2/bearing_temp_C"] */
  faults?: readonly (string | FaultSpec)[]
  log?: Logger
  /** Client id; with several connections each gets a suffix -1 … -N. */
  clientId?: string
  username?: string
  password?: string
  /** MQTT connections to spread the equipment over (default 1). */
  clients?: number
  /** aux_01 … aux_K on every piece of equipment; the plant file must declare them. */
  extraSensors?: number
  /** Backfill from this instant (epoch ms) as fast as the broker takes it. */
  fromMs?: number
  /** End of the backfill (epoch ms); default: now. */
  toMs?: number
  /** After the backfill, carry on live. */
  follow?: boolean
  /** Stop after this much simulated time. */
  durationMs?: number
  /** Simulated time of the first tick of a live run (default: now). */
  startMs?: number
  /** Per connection: bytes waiting in the socket, and unacknowledged QoS 1 publishes, before holding back. */
  maxBufferedBytes?: number
  maxInflight?: number
  /** How long close() waits for the socket to drain and QoS 1 acknowledgements (default 5 s). */
  closeTimeoutMs?: number
  /** 'sparkplug': telemetry as Sparkplug B 3.0 (simulators/sparkplug.ts), each line an edge node on its own connection; coil events stay JSON. */
  protocol?: 'json' | 'sparkplug'
  /** Sparkplug group id (default: the line id); edge nodes are named {line}-gw. */
  sparkplugGroup?: string
}

export interface SimulatorStats {
  mode: ClockMode
  simTimeMs: number
  ticks: number
  messages: number
  /** Readings published (one per sensor value). */
  values: number
  bytes: number
  /** Messages not published because their connection was down or full. */
  dropped: number
  /** QoS 1 publishes the broker never acknowledged. */
  failed: number
  coils: number
  connected: number
  inflight: number
  /** Live: how far the model is behind its clock, ms. */
  lagMs: number
  /** Backfill: fraction of the window done. */
  progress?: number
}

export interface SimulatorHandle {
  close(): Promise<void>
  stats(): SimulatorStats
  /** Resolves when a bounded run (duration, or a backfill without follow) has finished, or on close. */
  done: Promise<void>
}

let instances = 0

export async function startSimulator(opts: SimulatorOptions): Promise<SimulatorHandle> {
  const log = opts.log
  const qos = opts.qos ?? 0
  const maxBuffered = opts.maxBufferedBytes ?? 4 * 1024 * 1024
  const maxInflight = opts.maxInflight ?? 2000
  const nClients = opts.clients ?? 1
  if (qos !== 0 && qos !== 1) throw new Error(`qos must be 0 or 1, not ${qos}`)
  if (!Number.isInteger(nClients) || nClients < 1 || nClients > 1000) throw new Error(`clients must be an integer in 1…1000, not ${nClients}`)
  const sparkplug = opts.protocol === 'sparkplug'
  if (sparkplug && nClients !== 1) throw new Error('clients does not apply to Sparkplug B: each line is one edge node with its own connection')
  const clock = new SimClock({ ...opts, rateHz: opts.rateHz ?? BASE_HZ, speed: opts.speed ?? 1, nowMs: Date.now() })
  const mill = createMill({ seed: opts.seed ?? 1, startMs: clock.startMs, lines: opts.lines, rateHz: opts.rateHz, extraSensors: opts.extraSensors, faults: opts.faults })

  const baseId = opts.clientId ?? `millwatch-sim-${process.pid}-${++instances}`
  const conns: Conn[] = []
  const edges = sparkplug ? mill.lines.map((l) => new SparkplugEdge(opts.sparkplugGroup ?? l, `${l}-gw`)) : []
  try {
    if (sparkplug) for (const [i, e] of edges.entries()) conns.push({ client: await connectEdge(opts, `${baseId}-${e.edge}`, e, () => clock.lastMs, log), inflight: 0 })
    else for (let i = 0; i < nClients; i++) conns.push({ client: await connect(opts, nClients === 1 ? baseId : `${baseId}-${i + 1}`, log), inflight: 0 })
  } catch (err) {
    await Promise.all(conns.map((c) => c.client.endAsync(true)))
    throw err
  }
  log?.info({ url: redact(opts.url), lines: mill.lines, clients: nClients, qos, mode: clock.mode, start: new Date(clock.startMs).toISOString() }, 'simulator publishing')

  const s = { ticks: 0, messages: 0, values: 0, bytes: 0, dropped: 0, failed: 0 }
  const route = new Map<string, Conn>()
  const connOf = (topic: string) => {
    if (sparkplug) return conns[mill.lines.indexOf(topic.split('/')[1])] // plant/{line}/… → that line's edge node
    let c = route.get(topic)
    if (!c) route.set(topic, (c = conns[route.size % conns.length]))
    return c
  }
  const full = (c: Conn) => !c.client.connected || (c.client.stream?.writableLength ?? 0) > maxBuffered || c.inflight >= maxInflight
  const onAck = (c: Conn) => (err?: Error) => {
    c.inflight--
    if (err) s.failed++
  }

  let closed = false
  let timer: NodeJS.Timeout | undefined
  let immediate: NodeJS.Immediate | undefined
  let wasBackfill = clock.mode === 'backfill'
  let droppedLogged = 0
  let droppedLoggedAt = 0
  let resolveDone!: () => void
  const done = new Promise<void>((r) => (resolveDone = r))

  const spOut: SpMessage[] = []
  const send = (c: Conn, topic: string, body: string | Buffer) => {
    s.messages++
    s.bytes += body.length
    if (qos === 1) {
      c.inflight++
      c.client.publish(topic, body, { qos: 1 }, onAck(c))
    } else c.client.publish(topic, body, { qos: 0 })
  }

  const pump = () => {
    timer = immediate = undefined
    if (closed) return
    if (s.dropped > droppedLogged && performance.now() - droppedLoggedAt > 10_000) {
      log?.warn({ dropped: s.dropped - droppedLogged }, 'broker slower than the simulator or offline: messages dropped')
      droppedLogged = s.dropped
      droppedLoggedAt = performance.now()
    }
    const sliceEnd = performance.now() + 20 // yield to the sockets every 20 ms
    for (;;) {
      const next = clock.next(performance.now(), Date.now())
      if (next.kind === 'done') {
        log?.info({ ...stats(), mode: 'done' }, 'simulator run complete')
        resolveDone()
        return
      }
      if (next.kind === 'wait') return void (timer = setTimeout(pump, next.ms))
      if (clock.mode === 'backfill' && conns.some(full)) return void (timer = setTimeout(pump, 5))
      const live = clock.mode === 'live'
      if (live && wasBackfill) {
        wasBackfill = false
        log?.info({ messages: s.messages, simTime: new Date(next.t).toISOString() }, 'backfill complete, following live')
      }
      const messages = mill.step(next.t)
      clock.advance()
      s.ticks++
      for (const m of messages) {
        const c = connOf(m.topic)
        // A backfill checked for room before the tick and sends all of it; live drops at once.
        if (live ? full(c) : !c.client.connected) {
          s.dropped++
          continue
        }
        const telemetry = m.topic.endsWith('/telemetry')
        if (telemetry) for (const _ in (m.payload as TelemetryPayload).values) s.values++
        if (sparkplug && telemetry) {
          const p = m.payload as TelemetryPayload
          edges[conns.indexOf(c)].data(m.topic.split('/')[2], Number(p.ts ?? next.t), p.values, spOut)
          for (const o of spOut.splice(0)) send(c, o.topic, Buffer.from(o.payload))
          continue
        }
        send(c, m.topic, JSON.stringify(m.payload))
      }
      // A device silent past its timeout (a dropout fault) gets its DDEATH.
      edges.forEach((e, i) => (e.sweep(next.t, spOut), spOut.splice(0).forEach((o) => send(conns[i], o.topic, Buffer.from(o.payload)))))
      if (performance.now() > sliceEnd) return void (immediate = setImmediate(pump))
    }
  }

  function stats(): SimulatorStats {
    return {
      mode: clock.mode,
      simTimeMs: clock.lastMs,
      ...s,
      coils: mill.coilsFinished(),
      connected: conns.filter((c) => c.client.connected).length,
      inflight: conns.reduce((n, c) => n + c.inflight, 0),
      lagMs: clock.lagMs(performance.now()),
      progress: clock.progress(Date.now()),
    }
  }

  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      closed = true
      clearTimeout(timer)
      clearImmediate(immediate)
      // Let the socket drain and the broker acknowledge what is in flight, but not forever.
      const deadline = Date.now() + (opts.closeTimeoutMs ?? 5000)
      const pending = (c: Conn) => c.client.connected && (c.inflight > 0 || (c.client.stream?.writableLength ?? 0) > 0)
      while (conns.some(pending) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
      await Promise.all(conns.map((c) => endClient(c)))
      resolveDone()
      log?.info(stats(), 'simulator closed')
    })())

  immediate = setImmediate(pump)
  return { close, stats, done }
}
