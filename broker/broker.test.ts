// The embedded broker on a free port with real MQTT clients: the PUBACK waits for ingest's
// commit, a failed commit makes the device resend, QoS 0 is never held back, WebSocket works.
import mqtt from 'mqtt'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createRegistry } from '../core/metrics.ts'
import { startBroker, type Broker } from './index.ts'

const log = pino({ level: 'silent' })
let broker: Broker | undefined
afterEach(async () => {
  await broker?.close()
  broker = undefined
})

function deferred() {
  let resolve!: () => void
  let reject!: (e: Error) => void
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

describe('embedded broker', () => {
  it('sends the PUBACK only after the commit it waits for', async () => {
    const commit = deferred()
    const seen: string[] = []
    broker = await startBroker(
      { log, metrics: createRegistry(), beforeAck: (topic) => (seen.push(topic), commit.promise) },
      { host: '127.0.0.1', port: 0, wsPort: 0 },
    )
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`)
    let acked = false
    const pub = device.publishAsync('plant/tcm1/stand1/telemetry', '{"values":{}}', { qos: 1 }).then(() => (acked = true))
    await new Promise((r) => setTimeout(r, 150))
    expect(seen).toEqual(['plant/tcm1/stand1/telemetry'])
    expect(acked).toBe(false)
    commit.resolve()
    await pub
    expect(acked).toBe(true)
    await device.endAsync()
  })

  it('refuses a publish whose commit failed; the device resends it after reconnecting', async () => {
    let attempts = 0
    broker = await startBroker(
      { log, metrics: createRegistry(), beforeAck: () => (++attempts === 1 ? Promise.reject(new Error('disk full')) : Promise.resolve()) },
      { host: '127.0.0.1', port: 0, wsPort: 0 },
    )
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 50, clean: true })
    device.on('error', () => {})
    await device.publishAsync('plant/tcm1/stand1/telemetry', '{"values":{}}', { qos: 1 })
    expect(attempts).toBe(2)
    await device.endAsync()
  })

  it('does not hold QoS 0 publishes back while a commit is pending, and delivers to subscribers', async () => {
    const never = deferred()
    broker = await startBroker({ log, metrics: createRegistry(), beforeAck: () => never.promise }, { host: '127.0.0.1', port: 0, wsPort: 0 })
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`)
    await sub.subscribeAsync('plant/#')
    const got = new Promise<string>((r) => sub.once('message', (t) => r(t)))
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`)
    await device.publishAsync('plant/tcm1/exit/telemetry', '{"values":{}}', { qos: 0 })
    expect(await got).toBe('plant/tcm1/exit/telemetry')
    never.resolve()
    await Promise.all([device.endAsync(), sub.endAsync()])
  })

  it('accepts MQTT over WebSocket', async () => {
    const topics: string[] = []
    broker = await startBroker(
      { log, metrics: createRegistry(), beforeAck: (t) => (topics.push(t), Promise.resolve()) },
      { host: '127.0.0.1', port: 0, wsPort: 0 },
    )
    const device = await mqtt.connectAsync(`ws://127.0.0.1:${broker.wsPort}`)
    await device.publishAsync('plant/tcm1/stand5/telemetry', '{"values":{}}', { qos: 1 })
    expect(topics).toEqual(['plant/tcm1/stand5/telemetry'])
    await device.endAsync()
  })

  it('closes twice without error and frees its port', async () => {
    const b = await startBroker({ log, metrics: createRegistry() }, { host: '127.0.0.1', port: 0, wsPort: 0 })
    await b.close()
    await b.close()
    await expect(mqtt.connectAsync(`mqtt://127.0.0.1:${b.port}`, { reconnectPeriod: 0, connectTimeout: 500 })).rejects.toThrow()
  })
})
