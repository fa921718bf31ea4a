// End to end with STORE=influx: the real entry point, started as a user would, keeps its
// readings in a real InfluxDB (1.6.7, started here) and its records in the DuckDB file; the
// banner and /healthz say so; a device's readings come back from the API; and a restart of
// InfluxDB under way loses none of the acknowledged ones.
import mqtt from 'mqtt'
import { rmSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { influxdMissing, startInflux, type InfluxServer } from './helpers/influx.ts'
import { getJson, spawnMillwatch, tempDir, type RunningMillwatch } from './helpers/millwatch.ts'

const missing = influxdMissing()
let server: InfluxServer | undefined
let mw: RunningMillwatch | undefined
const dataDir = tempDir('mw-e2e-influx-')
afterAll(async () => {
  await mw?.stop()
  await server?.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe.skipIf(missing)('millwatch with STORE=influx', () => {
  it('stores a device\'s acknowledged readings in InfluxDB, through an InfluxDB restart, and says which store it uses', async () => {
    server = await startInflux({ database: 'plant' })
    mw = await spawnMillwatch({ STORE: 'influx', INFLUX_URL: server.url, INFLUX_BUCKET: 'plant', DATA_DIR: dataDir })
    expect(mw.output()).toMatch(/store\s+InfluxDB http:\/\/127\.0\.0\.1:\d+, bucket plant \(time series\); DuckDB in .* \(records\)/)
    const health = await getJson(`${mw.http}/healthz`)
    expect(health.parts.store).toMatch(/^influx 1\.6\.7.* bucket plant$/)

    const device = await mqtt.connectAsync(mw.mqtt, { clientId: 'e2e-influx-gw', clean: true })
    const T0 = Date.now() - 60_000
    const publish = (i: number) =>
      device.publishAsync('plant/tcm1/stand2/telemetry', JSON.stringify({ ts: T0 + i * 10, values: { vibration_mm_s: 1 + (i % 50) / 10 } }), { qos: 1 })
    // Each resolves on its PUBACK, which millwatch sends once the reading is durable.
    const publishAll = (from: number, to: number) => Promise.all(Array.from({ length: to - from }, (_, k) => publish(from + k)))
    await publishAll(0, 200)
    await server.stop()
    await publishAll(200, 400) // acknowledged from the disk spool
    expect((await getJson(`${mw.http}/healthz`)).parts.store).toMatch(/readings spooled/)
    const down = await fetch(`${mw.http}/api/latest?line=tcm1`)
    expect(down.status).toBe(503) // reads say why, ingest goes on
    expect((await down.json()).message).toMatch(/InfluxDB cannot be reached/)
    await server.start()
    await publishAll(400, 500)
    await device.endAsync()

    const q = `line=tcm1&equipment=stand2&sensor=vibration_mm_s&from=${T0}&to=${T0 + 10_000}`
    await expect.poll(async () => (await getJson(`${mw!.http}/api/series?${q}&limit=1000`)).points.length, { timeout: 30_000 }).toBe(500)
    const counted = await server.query(`SELECT count("value") FROM "telemetry" WHERE "equipment" = 'stand2'`)
    expect(counted.series?.[0].values[0][1]).toBe(500)
    expect((await getJson(`${mw.http}/api/latest?line=tcm1&equipment=stand2`)).values).toEqual([
      { line: 'tcm1', equipment: 'stand2', sensor: 'vibration_mm_s', ts: T0 + 4990, value: 1 + 49 / 10 },
    ])
    expect(await mw.stop()).toBe(0)
  }, 120_000) // two server starts and a millwatch start on a shared 2-core machine
})
