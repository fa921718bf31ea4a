// Fault: one poisonous message in a gateway's QoS 1 stream — valid MQTT, valid JSON, 20 KB
// (well under maxPayloadBytes), but nesting arrays 10 000 deep. It must become a dead
// letter and be acknowledged like any other rejected message, and the readings after it
// must flow as before ("bad input: a bad value rejects only itself").
import mqtt from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { until } from '../helpers/device.ts'
import { spawnMillwatch, tempDir } from '../helpers/millwatch.ts'
import { rawPoints } from '../helpers/stored.ts'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined)
})

describe('fault: a poisonous message in the stream', () => {
  // Regression (was a bug in ingest/decode.ts): decodeTelemetry throws RangeError (JSON.stringify of the value
  // for the reject detail recurses 10 000 deep); the broker refuses the publish without a
  // PUBACK and closes the connection; mqtt.js resends it first after every reconnect, so the
  // gateway's stream stops for good: the readings after it are never acknowledged nor
  // stored. ingest/decode.property.test.ts has the decoder-level tests.
  it('rejects it as a dead letter and keeps storing the readings after it', { timeout: 60_000 }, async () => {
    const m = await spawnMillwatch({ DATA_DIR: tempDir('mw-fault-poison-') })
    cleanup.push(() => m.stop('SIGKILL'))
    const device = mqtt.connect(m.mqtt, { clientId: 'gw-poison', reconnectPeriod: 250 })
    device.on('error', () => {})
    cleanup.push(() => device.endAsync(true))
    const t0 = Date.now() - 10_000
    const acked = new Set<number>()
    const topic = 'plant/tcm1/stand2/telemetry'
    const send = (i: number, body: string) => device.publish(topic, body, { qos: 1 }, (err) => err || acked.add(i))
    for (let i = 0; i < 100; i++) send(i, JSON.stringify({ ts: t0 + i, values: { speed_mps: 1 } }))
    send(100, `{"ts":${t0 + 100},"values":{"speed_mps":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`)
    for (let i = 101; i < 200; i++) send(i, JSON.stringify({ ts: t0 + i, values: { speed_mps: 2 } }))

    await until(() => acked.size === 200, 'all 200 publishes acknowledged', 30_000)
    expect(await rawPoints(m.http, { equipment: 'stand2', sensor: 'speed_mps' }, t0, t0 + 200)).toHaveLength(199)
  })
})
