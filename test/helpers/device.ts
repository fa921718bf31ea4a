// A plant gateway as the fault tests need one: an ordinary mqtt.js client that publishes one
// sensor's readings with QoS 1, numbered 0, 1, 2 … (ts = t0 + i), keeps a window of them in
// flight, reconnects by itself and resends what was not acknowledged (mqtt.js keeps
// unacknowledged QoS 1 publishes in its outgoing store across reconnects). It records which
// readings were acknowledged, so a test can check each of those is stored exactly once.
import mqtt, { type MqttClient } from 'mqtt'
import type { Socket } from 'node:net'

export interface DeviceOptions {
  url: string
  clientId: string
  line?: string
  equipment: string
  sensor: string
  /** ts of reading i is t0 + i * stepMs (default: one reading per ms) */
  t0: number
  stepMs?: number
  /** the reading's value; must lie within the sensor's range */
  value?: (i: number) => number
  /** override the wire ts of reading i (a device whose clock jumps); undefined leaves ts out */
  wireTs?: (i: number, ts: number) => number | string | undefined
  /** publishes in flight at most (default 100) */
  window?: number
  /** readings per second at most (default: as fast as the window allows) */
  rate?: number
}

export interface Device {
  client: MqttClient
  /** readings acknowledged (PUBACK received), by number */
  readonly acked: Set<number>
  /** readings published so far (0 … sent-1) */
  readonly sent: number
  /**
   * 'connect' events. mqtt.js emits one only after it has replayed its outgoing store, one
   * publish per PUBACK, so after an outage this lags the reconnection itself.
   */
  readonly connects: number
  /** connections lost ('close' events) */
  readonly disconnects: number
  tsOf(i: number): number
  valueOf(i: number): number
  /** stop publishing new readings (unacknowledged ones are still resent) */
  pause(): void
  resume(): void
  /** stops publishing and waits until every reading sent so far is acknowledged */
  drain(timeoutMs?: number): Promise<void>
  end(): Promise<void>
}

export async function startDevice(o: DeviceOptions): Promise<Device> {
  const line = o.line ?? 'tcm1'
  const topic = `plant/${line}/${o.equipment}/telemetry`
  const window = o.window ?? 100
  const step = o.stepMs ?? 1
  const valueOf = o.value ?? ((i: number) => i % 1000)
  const tsOf = (i: number) => o.t0 + i * step
  const client = mqtt.connect(o.url, { clientId: o.clientId, clean: true, reconnectPeriod: 250, connectTimeout: 5000, keepalive: 10 })
  client.on('error', () => {}) // connection refused while the other side is down: it retries
  let connects = 0
  let disconnects = 0
  client.on('close', () => void disconnects++)
  client.on('connect', () => {
    connects++
    ;(client.stream as Socket).setNoDelay?.(true)
  })
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`device ${o.clientId} could not connect to ${o.url}`)), 20_000)
    client.once('connect', () => (clearTimeout(t), resolve()))
  })

  const acked = new Set<number>()
  let sent = 0
  let paused = false
  let ended = false
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined

  const pump = () => {
    timer = undefined
    if (paused || ended) return
    const due = o.rate ? Math.floor(((performance.now() - started) / 1000) * o.rate) : Infinity
    while (!paused && sent - acked.size < window && sent < due) {
      const i = sent++
      const ts = tsOf(i)
      const wire = o.wireTs ? o.wireTs(i, ts) : ts
      const body = wire === undefined ? { values: { [o.sensor]: valueOf(i) } } : { ts: wire, values: { [o.sensor]: valueOf(i) } }
      client.publish(topic, JSON.stringify(body), { qos: 1 }, (err) => {
        if (!err) acked.add(i)
        schedule()
      })
    }
    // rate-limited and ahead of schedule, or the window is full: look again shortly
    schedule(o.rate ? 5 : 50)
  }
  const schedule = (ms = 0) => {
    if (timer || paused || ended) return
    timer = setTimeout(pump, ms)
  }
  pump()

  return {
    client,
    acked,
    get sent() {
      return sent
    },
    get connects() {
      return connects
    },
    get disconnects() {
      return disconnects
    },
    tsOf,
    valueOf,
    pause: () => void (paused = true),
    resume() {
      paused = false
      schedule()
    },
    async drain(timeoutMs = 30_000) {
      paused = true
      const until = Date.now() + timeoutMs
      while (acked.size < sent) {
        if (Date.now() > until) throw new Error(`device ${o.clientId}: ${sent - acked.size} of ${sent} readings still unacknowledged after ${timeoutMs} ms`)
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    async end() {
      ended = true
      if (timer) clearTimeout(timer)
      await client.endAsync(true)
    },
  }
}

/** Resolves once `cond()` holds, polling; rejects with `what` after timeoutMs. */
export async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
