// Ingest from an external broker: here a second, independent aedes on a free port plays the
// plant's broker. Readings published while ingest is away arrive when it comes back
// (persistent session), and every PUBACK ingest sends follows the commit.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../core/config.ts'
import { createRegistry } from '../core/metrics.ts'
import { startBroker, type Broker } from '../broker/index.ts'
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/index.ts'
import { startIngest } from './index.ts'
import { connectExternalSource } from './external.ts'

const config = loadConfig({})
const log = pino({ level: 'silent' })
const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

async function plantBroker(): Promise<Broker> {
  const b = await startBroker({ log, metrics: createRegistry() }, { host: '127.0.0.1', port: 0, wsPort: 0 })
  cleanup.push(() => b.close())
  return b
}

async function store(): Promise<DuckDbStore> {
  const s = await openDuckDbStore({ dir: mkdtempSync(join(tmpdir(), 'mw-ext-')), log })
  cleanup.push(() => s.close())
  return s
}

const count = async (s: DuckDbStore, from: number) =>
  (await s.timeseries.range({ line: 'tcm1', equipment: 'stand1', sensor: 'speed_mps', from, to: from + 1_000_000 })).length

describe('ingest from an external broker', () => {
  it('stores what devices publish, and what they published while ingest was away', async () => {
    const broker = await plantBroker()
    const url = `mqtt://127.0.0.1:${broker.port}`
    const s = await store()
    const ingest = startIngest({ plant: config.plant, settings: config.ingest, log, timeseries: s.timeseries, records: s.records, metrics: createRegistry() })
    const t0 = Date.now() - 100_000
    const device = await mqtt.connectAsync(url, { clientId: 'gateway' })
    cleanup.push(() => device.endAsync())
    const publish = (i: number) => device.publishAsync('plant/tcm1/stand1/telemetry', JSON.stringify({ ts: t0 + i, values: { speed_mps: 10 } }), { qos: 1 })

    let source = await connectExternalSource({ log, ingest }, { url, clientId: 'mw-ingest-test' })
    for (let i = 0; i < 100; i++) await publish(i)
    await expect.poll(() => count(s, t0), { timeout: 5000 }).toBe(100)

    await source.close()
    for (let i = 100; i < 150; i++) await publish(i) // kept by the broker for the persistent session
    source = await connectExternalSource({ log, ingest }, { url, clientId: 'mw-ingest-test' })
    cleanup.push(() => source.close())
    await expect.poll(() => count(s, t0), { timeout: 5000 }).toBe(150)
  })

  it('acknowledges a message to the broker only after its commit', async () => {
    const broker = await plantBroker()
    const url = `mqtt://127.0.0.1:${broker.port}`
    const s = await store()
    const ingest = startIngest({ plant: config.plant, settings: config.ingest, log, timeseries: s.timeseries, records: s.records, metrics: createRegistry() })
    const source = await connectExternalSource({ log, ingest }, { url, clientId: 'mw-ingest-ack' })
    cleanup.push(() => source.close())

    // Watch the PUBACKs ingest sends to the broker, and check each message is in the store by then.
    const t0 = Date.now() - 100_000
    const checks: Promise<number>[] = []
    broker.aedes.on('ack', (packet) => {
      if (!packet || !('payload' in packet)) return
      const ts = JSON.parse(String(packet.payload)).ts as number
      checks.push(s.timeseries.range({ line: 'tcm1', equipment: 'stand1', sensor: 'speed_mps', from: ts, to: ts + 1 }).then((r) => r.length))
    })
    const device = await mqtt.connectAsync(url)
    cleanup.push(() => device.endAsync())
    for (let i = 0; i < 20; i++) await device.publishAsync('plant/tcm1/stand1/telemetry', JSON.stringify({ ts: t0 + i, values: { speed_mps: 5 } }), { qos: 1 })
    await expect.poll(() => checks.length, { timeout: 5000 }).toBe(20)
    expect(await Promise.all(checks)).toEqual(new Array(20).fill(1))
  })
})
