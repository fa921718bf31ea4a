// Sparkplug B from an external broker (MQTT_URL): the source subscribes to spBv1.0/# beside the
// JSON topics, and a gateway's births and alias-only data are stored as from the embedded one.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { startBroker } from '../../broker/index.ts'
import { loadConfig } from '../../core/config.ts'
import { createRegistry } from '../../core/metrics.ts'
import { SparkplugEdge, type SpMessage } from '../../simulators/sparkplug.ts'
import { openDuckDbStore } from '../../store/duckdb/index.ts'
import { connectExternalSource } from '../external.ts'
import { startIngest } from '../index.ts'

const config = loadConfig({})
const log = pino({ level: 'silent' })
const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

describe('Sparkplug B from an external broker', () => {
  it('stores a gateway’s DBIRTH and alias-only DDATA', async () => {
    const broker = await startBroker({ log, metrics: createRegistry() }, { host: '127.0.0.1', port: 0, wsPort: 0 })
    cleanup.push(() => broker.close())
    const url = `mqtt://127.0.0.1:${broker.port}`
    const s = await openDuckDbStore({ dir: mkdtempSync(join(tmpdir(), 'mw-sp-ext-')), log })
    cleanup.push(() => s.close())
    const ingest = startIngest({ plant: config.plant, settings: config.ingest, log, timeseries: s.timeseries, records: s.records, metrics: createRegistry() })
    const source = await connectExternalSource({ log, ingest }, { url, clientId: 'mw-sp-ingest' })
    cleanup.push(() => source.close())

    const edge = new SparkplugEdge('tcm1', 'gw-ext')
    const gw = await mqtt.connectAsync(url, { clientId: 'gw-ext' })
    cleanup.push(() => gw.endAsync())
    const t0 = Date.now() - 10_000
    const out: SpMessage[] = [edge.birth(t0)]
    for (let i = 0; i < 20; i++) edge.data('stand1', t0 + i * 100, { speed_mps: 10 + i / 10 }, out)
    for (const m of out) await gw.publishAsync(m.topic, Buffer.from(m.payload), { qos: 1 })

    await expect
      .poll(async () => (await s.timeseries.range({ line: 'tcm1', equipment: 'stand1', sensor: 'speed_mps', from: t0, to: t0 + 10_000 })).map((p) => p.value), { timeout: 20_000 })
      .toEqual(Array.from({ length: 20 }, (_, i) => 10 + i / 10))
    expect(ingest.deadLetters.list()).toEqual([])
  })
})
