// Ingest from an external broker (MQTT_URL): a persistent session (clean: false, fixed client
// id) with QoS 1 subscriptions, so the broker keeps what arrives while millwatch restarts.
//
// The PUBACK must leave only once the readings are durable, or a crash between the two loses
// data the broker has already forgotten. mqtt.js sends the PUBACK when handleMessage calls
// back, and handles the next message only after that — waiting there for the group commit
// would allow one message per commit. So handleMessage calls back at once and the PUBACK of
// a message with a pending write is held back (at the client's packet writer) until the
// commit; a failed commit drops the connection instead, and the broker redelivers.
import mqtt, { type IPublishPacket, type MqttClient, type Packet } from 'mqtt'
import type { Socket } from 'node:net'
import type { Logger } from '../core/log.ts'
import { SHARED_TELEMETRY, TOPIC_COIL, TOPIC_TELEMETRY } from '../core/topics.ts'
import { TOPIC_SPARKPLUG } from '../core/sparkplug-b.ts'
import type { Ingest } from './index.ts'

export interface ExternalSourceOptions {
  url: string
  clientId: string
  /** subscribe through the MQTT 5 shared subscription, for several ingest workers */
  shared?: boolean
  /** what to subscribe to instead of the default; an MQTT 5 session (parts as processes) */
  topics?: readonly string[]
  username?: string
  password?: string
}

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]) => void

export async function connectExternalSource(
  ctx: { log: Logger; ingest: Pick<Ingest, 'accept'> },
  opts: ExternalSourceOptions,
): Promise<{ client: MqttClient; close(): Promise<void> }> {
  const log = ctx.log.child({ part: 'ingest', source: 'external' })
  const v5 = opts.shared || opts.topics !== undefined
  const client = mqtt.connect(opts.url, {
    clientId: opts.clientId,
    clean: false,
    protocolVersion: v5 ? 5 : 4,
    // MQTT 5 §3.1.2.11.2: the broker keeps the session, and what arrives for it, a day after
    // the connection drops — so a worker killed mid-stream gets its messages when it returns.
    properties: v5 ? { sessionExpiryInterval: 86_400, receiveMaximum: 65_535 } : undefined,
    reconnectPeriod: 1000,
    username: opts.username,
    password: opts.password,
  })
  client.on('connect', () => ((client.stream as Socket).setNoDelay?.(true), log.info({ url: opts.url }, 'connected to external broker')))
  client.on('error', (err) => log.warn({ err: err.message }, 'external broker error'))
  client.on('offline', () => log.warn('external broker offline; reconnecting'))

  const pending = new Map<number, Promise<void>>()
  /** writes whose PUBACK is held back until they commit (close waits for them) */
  const held = new Set<Promise<unknown>>()
  const internal = client as unknown as { _sendPacket: SendPacket }
  const send = internal._sendPacket.bind(client)
  internal._sendPacket = (packet, cb, ...rest) => {
    const write = packet.cmd === 'puback' && packet.messageId !== undefined ? pending.get(packet.messageId) : undefined
    if (!write) return send(packet, cb, ...rest)
    pending.delete(packet.messageId!)
    cb?.()
    const acked = write.then(
      () => send(packet, undefined, ...rest),
      (err: Error) => {
        log.warn({ err: err.message }, 'store did not commit; dropping the connection so the broker redelivers')
        client.stream.destroy()
      },
    )
    held.add(acked)
    void acked.finally(() => held.delete(acked))
  }
  client.handleMessage = (packet: IPublishPacket, callback) => {
    const write = ctx.ingest.accept(packet.topic, packet.payload as Buffer)
    if (write && packet.qos > 0 && packet.messageId !== undefined) pending.set(packet.messageId, write)
    else write?.catch((err: Error) => log.warn({ err: err.message }, 'store did not commit a QoS 0 message'))
    callback()
  }

  // Sparkplug B is never shared among workers: a node's births and data must reach the same
  // process, which holds its alias table (docs/sparkplug.md).
  const topics = opts.topics ? [...opts.topics] : opts.shared ? [SHARED_TELEMETRY, `$share/ingest/${TOPIC_COIL}`] : [TOPIC_TELEMETRY, TOPIC_COIL, TOPIC_SPARKPLUG]
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => client.subscribe(topics, { qos: 1 }, (err) => (err ? reject(err) : resolve())))
    client.once('error', reject)
  })

  let closing: Promise<void> | undefined
  return {
    client,
    close() {
      closing ??= (async () => {
        // A worker stopped on purpose leaves the share group first: Mosquitto would otherwise
        // go on queuing its share in the session while it is away (docs/deployment.md). What
        // the broker sent before the UNSUBACK has arrived by then and is committed below.
        const shared = topics.filter((t) => t.startsWith('$share/'))
        if (shared.length && client.connected) await client.unsubscribeAsync(shared).catch((err: Error) => log.warn({ err: err.message }, 'could not leave the shared subscription'))
        await Promise.allSettled([...pending.values(), ...held])
        await new Promise<void>((resolve) => client.end(false, {}, () => resolve()))
      })()
      return closing
    },
  }
}
