// Fault: the plant's broker restarted under load. Mosquitto (persistence on, no queue
// limits) relays a device's QoS 1 stream to millwatch, which reads it through its persistent
// session (MQTT_URL, clean: false) and acknowledges each message to Mosquitto only after
// its commit. Mid-stream Mosquitto is restarted (SIGTERM: it saves its persistence file on
// the way out, then starts again on the same port). The device and millwatch reconnect by
// themselves; Mosquitto redelivers what millwatch had not acknowledged, some of it already
// committed. Asserted: every message the device got a PUBACK for from Mosquitto ends up
// stored exactly once.
import { afterEach, describe, expect, it } from 'vitest'
import { startDevice, until } from '../helpers/device.ts'
import { spawnMillwatch, tempDir } from '../helpers/millwatch.ts'
import { startMosquitto } from '../helpers/mosquitto.ts'
import { expectStoredOnce, physicalRows, rawPoints } from '../helpers/stored.ts'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined)
})

const key = { equipment: 'stand1', sensor: 'tension_kN' }

describe('fault: the broker restarted under load', () => {
  it('stores every message Mosquitto acknowledged to the device exactly once', { timeout: 90_000 }, async () => {
    const mosquitto = await startMosquitto()
    cleanup.push(() => mosquitto.stop('SIGKILL'))
    const data = tempDir('mw-fault-broker-')
    const m = await spawnMillwatch({ DATA_DIR: data, MQTT_URL: mosquitto.url })
    cleanup.push(() => m.stop('SIGKILL'))
    const device = await startDevice({ url: mosquitto.url, clientId: 'gw-broker', ...key, t0: Date.now() - 60_000, window: 200, value: (i) => i % 800 })
    cleanup.push(() => device.end())

    await until(() => device.acked.size >= 3000, '3000 readings acknowledged by Mosquitto')
    const before = device.acked.size
    await mosquitto.restart()
    await until(() => device.acked.size >= before + 3000, 'the device to carry on after the restart', 40_000)
    await device.drain()
    expect(device.disconnects).toBeGreaterThanOrEqual(1)
    expect(m.proc.exitCode).toBe(null)

    // A PUBACK from Mosquitto means "Mosquitto has it", not "stored": wait until millwatch
    // has caught up (it reconnects within a second, its session redelivers the rest).
    const from = device.tsOf(0)
    const to = device.tsOf(device.sent)
    await expect.poll(async () => (await rawPoints(m.http, key, from, to)).length, { timeout: 30_000, interval: 250 }).toBe(device.sent)
    const r = await expectStoredOnce(m.http, key, device)
    expect(r.stored).toBe(device.sent)
    expect(m.output()).toMatch(/external broker offline/)

    expect(await m.stop('SIGTERM')).toBe(0)
    const rows = await physicalRows(data, key)
    expect(rows.distinct).toBe(device.sent)
    console.info(`broker restart: ${before} acknowledged before the restart, ${device.sent} stored once, ${rows.rows - rows.distinct} redelivered duplicates in the file`)
  })
})
