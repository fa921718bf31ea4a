// Shared by the broker tests: a real broker on port 0, real mqtt.js clients, raw sockets for
// what mqtt.js will not send (floods, oversized headers), and the answers a device sees.
import { mkdtempSync } from 'node:fs'
import { connect as netConnect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import mqttPacket from 'mqtt-packet'
import { pino } from 'pino'
import { Credentials } from '../core/credentials.ts'
import { createRegistry, type Registry } from '../core/metrics.ts'
import { startBroker, type Broker, type BrokerContext, type BrokerOptions } from './index.ts'

export const log = pino({ level: 'silent' })

export interface TestBroker extends Broker {
  metrics: Registry
  url: string
  /** topics ingest was handed, in order */
  ingested: string[]
}

export async function start(opts: Partial<BrokerOptions> = {}, ctx: Partial<BrokerContext> = {}): Promise<TestBroker> {
  const metrics = createRegistry()
  const ingested: string[] = []
  const beforeAck = ctx.beforeAck ?? ((topic: string) => void ingested.push(topic))
  const b = await startBroker({ log, metrics, ...ctx, beforeAck }, { host: '127.0.0.1', port: 0, wsPort: 0, ...opts })
  return Object.assign(b, { metrics, url: `mqtt://127.0.0.1:${b.port}`, ingested })
}

/** A credentials store in a fresh temp folder with the given devices (scrypt: ~0.1 s each). */
export async function credentialsWith(devices: Record<string, { password: string; lines: string[]; equipment: string[] }>) {
  const c = new Credentials(mkdtempSync(join(tmpdir(), 'mw-broker-')))
  for (const [name, d] of Object.entries(devices)) await c.setDevice(name, d.password, d.lines, d.equipment)
  return c
}

/** The CONNACK return code a client gets: 0 when it is let in (then it is disconnected). */
export function connackCode(url: string, opts: IClientOptions = {}): Promise<number> {
  return new Promise((resolve) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts })
    c.once('connect', () => c.end(true, () => resolve(0)))
    c.once('error', (err: Error & { code?: number }) => (c.end(true), resolve(typeof err.code === 'number' ? err.code : -1)))
  })
}

export const connected = (url: string, opts: IClientOptions = {}) => mqtt.connectAsync(url, { reconnectPeriod: 0, ...opts })

/** 'ok' when the QoS 1 publish was acknowledged, 'closed' when the broker dropped the connection. */
export function tryPublish(c: MqttClient, topic: string, payload = '{"values":{}}'): Promise<'ok' | 'closed'> {
  return Promise.race([
    c.publishAsync(topic, payload, { qos: 1 }).then(() => 'ok' as const),
    new Promise<'closed'>((r) => c.once('close', () => r('closed'))),
  ])
}

/** The granted QoS of one subscription: 128 is refused. */
export async function trySubscribe(c: MqttClient, filter: string): Promise<number> {
  try {
    const granted = await c.subscribeAsync(filter)
    return granted[0].qos
  } catch (err) {
    // mqtt.js rejects a SUBACK that refuses, with the packet attached
    const granted = (err as { packet?: { granted?: number[] } }).packet?.granted
    if (granted) return granted[0]
    throw err
  }
}

/** A raw MQTT 3.1.1 connection, for what mqtt.js will not send. */
export async function rawClient(port: number, clientId: string, extra: Record<string, unknown> = {}): Promise<Socket> {
  const s = netConnect({ port, host: '127.0.0.1', noDelay: true })
  s.on('error', () => {})
  await new Promise<void>((r) => s.once('connect', () => r()))
  s.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId, clean: true, keepalive: 60, ...extra } as mqttPacket.IConnectPacket))
  await new Promise<void>((r) => s.once('data', () => r())) // CONNACK
  return s
}

export const publishPacket = (topic: string, payload: string) =>
  mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false } as mqttPacket.IPublishPacket)

export const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())))

export async function refusedCount(b: TestBroker, reason: string): Promise<number> {
  const m = await b.metrics.getSingleMetric('mw_broker_refused_total')?.get()
  return m?.values.find((v) => v.labels.reason === reason)?.value ?? 0
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await sleep(10)
  }
}
