// The simulator's MQTT connections, opened and closed the way a plant gateway would:
// TCP_NODELAY, automatic reconnection, nothing queued while offline, and a close that
// neither hangs on a broker that stopped reading nor drops what is already in flight.
import mqtt, { type MqttClient } from 'mqtt'
import type { Logger } from 'pino'

export interface Conn {
  client: MqttClient
  /** QoS 1 publishes not yet acknowledged. */
  inflight: number
}

export interface ConnectOptions {
  url: string
  username?: string
  password?: string
  /** the MQTT will (a Sparkplug B NDEATH) */
  will?: { topic: string; payload: Buffer; qos: 0 | 1; retain: boolean }
}

/** Ends a connection politely (DISCONNECT after what is queued), or by force if the broker has stopped reading. */
export async function endClient(c: Conn): Promise<void> {
  const stuck = c.inflight > 0 || (c.client.stream?.writableLength ?? 0) > 0
  let timer: NodeJS.Timeout | undefined
  const forced = new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)))
  await Promise.race([c.client.endAsync(stuck), forced])
  clearTimeout(timer)
  if (!c.client.disconnected) {
    c.client.end(true)
    c.client.stream?.destroy()
  }
}

/** Connects one gateway connection; rejects on the first failure so a wrong URL is reported at once. */
export function connect(opts: ConnectOptions, clientId: string, log: Logger | undefined): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(opts.url, {
      clientId,
      username: opts.username,
      password: opts.password,
      will: opts.will,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      // Nothing queues while offline: a live gateway drops what it cannot send, and counts it.
      queueQoSZero: false,
    })
    // Nagle + delayed ACK add 30–40 ms per message without this (DESIGN.md, performance facts).
    const noDelay = () => (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true)
    noDelay()
    let up = false
    let online = false
    const fail = (why: string) => {
      clearTimeout(timeout)
      client.end(true)
      reject(new Error(`cannot connect to ${redact(opts.url)}: ${why}`))
    }
    const timeout = setTimeout(() => fail('no answer within 10 s'), 10_000)
    let lastError = ''
    client.on('connect', () => {
      noDelay()
      if (up) log?.info({ clientId }, 'simulator reconnected')
      up = online = true
      lastError = ''
      clearTimeout(timeout)
      resolve(client)
    })
    client.on('error', (err) => {
      if (!up) fail(err.message)
      // Each reconnect attempt fails the same way while the broker is down: say it once.
      else if (err.message !== lastError) log?.warn({ clientId, err: err.message }, 'simulator connection error')
      lastError = err.message
    })
    // Logged once per outage, not at every reconnect attempt.
    client.on('offline', () => {
      if (online) log?.warn({ clientId }, 'simulator offline, reconnecting')
      online = false
    })
  })
}

export const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@')
