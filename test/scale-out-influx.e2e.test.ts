// Ingest workers sharing one InfluxDB (issue 7, the deployment's shape): two worker
// processes on Mosquitto's shared subscription write to the same database; one is killed with
// SIGKILL mid-stream and comes back under its name. Every reading the broker acknowledged to
// the device is in InfluxDB, once (a (series, time) point is kept once by InfluxDB itself).
import { afterEach, describe, expect, it } from 'vitest'
import { startDevice } from './helpers/device.ts'
import { influxdMissing, startInflux } from './helpers/influx.ts'
import { tempDir } from './helpers/millwatch.ts'
import { startMosquitto } from './helpers/mosquitto.ts'
import { metric, spawnPart } from './helpers/parts.ts'

const missing = influxdMissing()
const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {})
})

describe.skipIf(missing)('ingest workers on one InfluxDB', () => {
  it('store every acknowledged reading once, with a worker killed mid-stream', { timeout: 180_000 }, async () => {
    const influx = await startInflux({ database: 'shared' })
    cleanup.push(() => influx.close())
    const broker = await startMosquitto()
    cleanup.push(() => broker.stop())
    const dirs: Record<string, string> = { a: tempDir('mw-wa-'), b: tempDir('mw-wb-') }
    const worker = async (id: string) => {
      const w = await spawnPart({ ROLES: 'ingest', MQTT_URL: broker.url, INGEST_WORKER_ID: id, DATA_DIR: dirs[id]!, STORE: 'influx', INFLUX_URL: influx.url, INFLUX_BUCKET: 'shared' })
      cleanup.push(() => w.stop())
      return w
    }
    const a = await worker('a')
    let b = await worker('b')
    const t0 = Date.now() - 3_600_000
    const device = await startDevice({ url: broker.url, clientId: 'gateway-influx', equipment: 'stand2', sensor: 'speed_mps', t0, rate: 500, window: 100, value: (i) => 3 + (i % 30) })
    cleanup.push(() => device.end())
    await expect.poll(async () => (await metric(a.http, 'mw_ingest_points_total')) > 0 && (await metric(b.http, 'mw_ingest_points_total')) > 0, { timeout: 30_000 }).toBe(true)

    b.proc.kill('SIGKILL')
    await b.exited
    const sentAtKill = device.sent
    await expect.poll(() => device.sent, { timeout: 30_000 }).toBeGreaterThan(sentAtKill + 1000)
    b = await worker('b')
    await device.drain(60_000)

    const stored = async () => {
      const r = await influx.query(`SELECT value FROM telemetry WHERE line = 'tcm1' AND equipment = 'stand2' AND sensor = 'speed_mps' AND time >= ${t0}ms`)
      return (r.series?.[0]?.values ?? []) as [number, number][]
    }
    await expect.poll(async () => (await stored()).length, { timeout: 90_000, interval: 1000 }).toBe(device.sent)
    const rows = await stored()
    const byTs = new Map(rows.map(([ts, v]) => [ts, v]))
    expect(byTs.size).toBe(rows.length)
    const missingAcked = [...device.acked].filter((i) => byTs.get(device.tsOf(i)) !== device.valueOf(i))
    expect(missingAcked.length, `acknowledged but not stored with its value: ${missingAcked.slice(0, 10).join(', ')}`).toBe(0)
  })
})
