// Fault: millwatch killed with kill -9 mid-stream, then started again on the same data folder
// and port. The device's client notices, reconnects by itself and resends every publish it
// had no PUBACK for — some of them were committed before the kill, so they reach the store
// twice. Asserted: every acknowledged reading is stored exactly once (reads collapse the
// resends), with its value, and nothing appears that was never sent. A PUBACK lost in the
// kill is a matter of milliseconds, so a second gateway also replays the last readings
// before the kill (as one that lost its in-flight state would): duplicates for certain.
// The readings are 3 minutes old, so their minutes get rolled up (maintenance every 10 s)
// and the replay lands in rolled-up minutes: bucket counts must collapse it too.
import mqtt from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { startDevice, until, type Device } from '../helpers/device.ts'
import { spawnMillwatch, tempDir, type RunningMillwatch } from '../helpers/millwatch.ts'
import { freePort } from '../helpers/mosquitto.ts'
import { expectStoredOnce, physicalRows } from '../helpers/stored.ts'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined)
})

const key = { equipment: 'stand4', sensor: 'motor_current_A' }

describe('fault: kill -9 mid-stream', () => {
  it('stores every acknowledged reading exactly once after the restart, resends included', { timeout: 90_000 }, async () => {
    const data = tempDir('mw-fault-kill-')
    const port = String(await freePort())
    const env = { DATA_DIR: data, MQTT_PORT: port }
    const first: RunningMillwatch = await spawnMillwatch(env)
    cleanup.push(() => first.stop('SIGKILL'))
    const device: Device = await startDevice({ url: first.mqtt, clientId: 'gw-kill9', ...key, t0: Date.now() - 180_000, window: 300 })
    cleanup.push(() => device.end())

    await until(() => device.acked.size >= 1500, '1500 acknowledged readings')
    first.proc.kill('SIGKILL')
    await first.exited
    const atKill = { sent: device.sent, acked: device.acked.size }
    expect(atKill.sent - atKill.acked).toBeGreaterThan(0) // publishes were in flight when it died

    const second = await spawnMillwatch(env)
    cleanup.push(() => second.stop('SIGKILL'))
    await until(() => device.acked.size >= atKill.acked + 1500, 'the device to carry on after the restart', 30_000)
    await device.drain()
    expect(device.connects).toBeGreaterThanOrEqual(2)

    const replay = await mqtt.connectAsync(second.mqtt, { clientId: 'gw-kill9-replay' })
    const replayed = Array.from({ length: 500 }, (_, k) => atKill.acked - 500 + k)
    await Promise.all(
      replayed.map((i) => replay.publishAsync(`plant/tcm1/${key.equipment}/telemetry`, JSON.stringify({ ts: device.tsOf(i), values: { [key.sensor]: device.valueOf(i) } }), { qos: 1 })),
    )
    await replay.endAsync()

    const r = await expectStoredOnce(second.http, key, device)
    expect(r.stored).toBe(device.sent) // drained: everything sent was acknowledged, so stored
    expect(await second.stop('SIGTERM')).toBe(0)
    const rows = await physicalRows(data, key)
    expect(rows.distinct).toBe(device.sent)
    expect(rows.rows - rows.distinct).toBeGreaterThanOrEqual(replayed.length) // the reads did collapse them
    console.info(`kill -9: ${atKill.acked} acknowledged and ${atKill.sent - atKill.acked} in flight at the kill; ${device.sent} stored once; ${rows.rows - rows.distinct} duplicate rows in the file (${replayed.length} replayed)`)
  })
})
