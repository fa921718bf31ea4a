// End to end: the real entry point, a plain MQTT client publishing as a device would, and the
// values read back over HTTP.
import { writeFileSync, mkdirSync, copyFileSync } from 'node:fs'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { Credentials } from '../core/credentials.ts'
import { getJson, spawnMillwatch, tempDir, type RunningMillwatch } from './helpers/millwatch.ts'

const running: RunningMillwatch[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop('SIGKILL')))
})

async function start(env: Record<string, string>) {
  const m = await spawnMillwatch(env)
  running.push(m)
  return m
}

const series = (m: RunningMillwatch, equipment: string, sensor: string, from: number, to: number) =>
  getJson(`${m.http}/api/series?line=tcm1&equipment=${equipment}&sensor=${sensor}&from=${from}&to=${to}&limit=100000`).then(
    (r) => r.points as { ts: number; value: number }[],
  )

describe('millwatch end to end (SIMULATOR=off)', () => {
  it('stores what a device publishes and serves it over HTTP', async () => {
    const m = await start({ DATA_DIR: tempDir() })
    const health = await fetch(`${m.http}/healthz`)
    expect(health.status).toBe(200)

    const device = await mqtt.connectAsync(m.mqtt, { clientId: 'gateway-e2e' })
    const t0 = Date.now() - 10_000
    for (let i = 0; i < 50; i++)
      await device.publishAsync('plant/tcm1/stand3/telemetry', JSON.stringify({ ts: t0 + i * 100, values: { vibration_mm_s: 2 + i / 100, bearing_temp_C: 60 } }), { qos: 1 })
    await device.publishAsync('plant/tcm1/exit/telemetry', JSON.stringify({ ts: new Date(t0).toISOString(), values: { thickness_um: 801.5 } }), { qos: 1 })
    await device.endAsync()

    // QoS 1 acknowledged ⇒ durable and queryable at once.
    const points = await series(m, 'stand3', 'vibration_mm_s', t0, t0 + 60_000)
    expect(points).toHaveLength(50)
    expect(points[0]).toEqual({ ts: t0, value: 2 })
    expect(points[49]).toEqual({ ts: t0 + 4900, value: 2.49 })

    const buckets = await getJson(`${m.http}/api/series?line=tcm1&equipment=stand3&sensor=vibration_mm_s&from=${t0}&to=${t0 + 5000}&step=1s`)
    expect(buckets.points.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(50)

    const latest = await getJson(`${m.http}/api/latest?line=tcm1&equipment=exit`)
    expect(latest.values).toContainEqual(expect.objectContaining({ equipment: 'exit', sensor: 'thickness_um', ts: t0, value: 801.5 }))
  })

  it('keeps bad messages as dead letters, counts them, and stores the good readings around them', async () => {
    // An engineer's API token, made as `npm run user -- token create` would, before the start.
    const data = tempDir()
    const { token } = new Credentials(data).createToken('e2e', ['engineer'], 'test')
    const m = await start({ DATA_DIR: data })
    const device = await mqtt.connectAsync(m.mqtt)
    const t0 = Date.now() - 5000
    await device.publishAsync('plant/tcm1/stand1/telemetry', JSON.stringify({ ts: t0, values: { speed_mps: 10 } }), { qos: 1 })
    await device.publishAsync('plant/tcm1/stand1/telemetry', '{"values": {"speed_mps": ', { qos: 1 })
    await device.publishAsync('plant/tcm1/stand1/telemetry', JSON.stringify({ ts: t0 + 100, values: { speed_mps: 11, made_up: 3, tension_kN: 'NaN' } }), { qos: 1 })
    await device.publishAsync('plant/tcm9/stand1/telemetry', JSON.stringify({ values: { speed_mps: 1 } }), { qos: 1 })
    await device.publishAsync('plant/tcm1/stand1/telemetry', JSON.stringify({ ts: Date.now() + 86_400_000, values: { speed_mps: 1 } }), { qos: 1 })
    await device.publishAsync('plant/tcm1/stand1/telemetry', Buffer.alloc(70_000, 'x'), { qos: 1 })
    await device.publishAsync('plant/tcm1/stand1/telemetry', JSON.stringify({ ts: t0 + 200, values: { speed_mps: 12 } }), { qos: 1 })
    await device.endAsync()

    expect((await series(m, 'stand1', 'speed_mps', t0, t0 + 1000)).map((p) => p.value)).toEqual([10, 11, 12])
    expect((await fetch(`${m.http}/api/ingest/dead-letters`)).status).toBe(401)
    const dl = await (await fetch(`${m.http}/api/ingest/dead-letters`, { headers: { authorization: `Bearer ${token}` } })).json()
    expect(dl.deadLetters.map((d: any) => d.rejects.map((r: any) => r.reason).join('+'))).toEqual([
      'oversized',
      'future_timestamp',
      'unknown_line',
      'unknown_sensor+non_numeric',
      'malformed_json',
    ])
    const metrics = await (await fetch(`${m.http}/metrics`)).text()
    expect(metrics).toMatch(/mw_ingest_dead_letters_total\{reason="malformed_json"\} 1/)
    expect(metrics).toMatch(/mw_ingest_dead_letters_total\{reason="unknown_sensor"\} 1/)
    expect(metrics).toMatch(/mw_ingest_points_total 3/)
    expect(Number(/^mw_store_duckdb_memory_bytes (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0) // DuckDB holds the file's blocks
    expect(metrics).toMatch(/^mw_store_raw_points 3$/m) // the three good readings, what store.retention.raw bounds
  })

  it('flushes readings it accepted when stopped with SIGTERM', async () => {
    // A long group-commit interval: the QoS 0 readings are still pending when SIGTERM comes.
    const config = tempDir('mw-conf-')
    copyFileSync('config/plant.yaml', join(config, 'plant.yaml'))
    writeFileSync(join(config, 'millwatch.yaml'), 'store:\n  flushInterval: 30s\n  batchPoints: 1000000\n')
    const data = tempDir()
    const env = { DATA_DIR: data, CONFIG_DIR: config }
    const m = await start(env)
    const device = await mqtt.connectAsync(m.mqtt)
    const t0 = Date.now() - 60_000
    for (let i = 0; i < 500; i++) device.publish('plant/tcm1/stand2/telemetry', JSON.stringify({ ts: t0 + i, values: { roll_force_kN: i } }), { qos: 0 })
    await new Promise((r) => setTimeout(r, 500))
    expect(await m.stop('SIGTERM')).toBe(0)
    await device.endAsync(true)

    const again = await start(env)
    expect(await series(again, 'stand2', 'roll_force_kN', t0, t0 + 1000)).toHaveLength(500)
  })

  it('loses no acknowledged reading when killed with kill -9 mid-stream', async () => {
    const data = tempDir()
    const m = await start({ DATA_DIR: data })
    const device = await mqtt.connectAsync(m.mqtt, { reconnectPeriod: 0 })
    device.on('error', () => {})
    const t0 = Date.now() - 60_000
    const acked: number[] = []
    let sent = 0
    // Keep up to 200 publishes in flight, as a busy gateway does, and kill millwatch mid-way.
    await new Promise<void>((resolve) => {
      let killed = false
      const pump = () => {
        while (!killed && sent - acked.length < 200 && sent < 20_000) {
          const i = sent++
          device.publish('plant/tcm1/stand4/telemetry', JSON.stringify({ ts: t0 + i, values: { motor_current_A: i % 5000 } }), { qos: 1 }, (err) => {
            if (!err) acked.push(i)
            if (!killed && acked.length >= 3000) {
              killed = true
              m.proc.kill('SIGKILL')
              setTimeout(resolve, 300)
            } else pump()
          })
        }
      }
      pump()
    })
    await m.exited
    device.end(true)
    expect(acked.length).toBeGreaterThanOrEqual(3000)

    const again = await start({ DATA_DIR: data })
    const stored = new Set((await series(again, 'stand4', 'motor_current_A', t0, t0 + 20_000)).map((p) => p.ts - t0))
    const lost = acked.filter((i) => !stored.has(i))
    expect(lost).toEqual([])
  })

  it('refuses to start on bad configuration and lists every problem', async () => {
    const config = tempDir('mw-conf-')
    mkdirSync(config, { recursive: true })
    writeFileSync(join(config, 'plant.yaml'), 'lines:\n  tcm1:\n    equipment:\n      s1: { class: nope }\n')
    await expect(start({ CONFIG_DIR: config, HTTP_PORT: 'x', STORE: 'cassandra' })).rejects.toThrow(
      /exited with 78[\s\S]*HTTP_PORT[\s\S]*STORE[\s\S]*class "nope"/,
    )
  })

  it('prints a one-time sign-in link on loopback, and it signs the first admin in once', async () => {
    const m = await start({ DATA_DIR: tempDir() })
    const link = /sign in\s+(http:\/\/\S+\/login\/once\?token=\S+)/.exec(m.output())?.[1]
    expect(link).toBeDefined()
    const first = await fetch(link!, { redirect: 'manual' })
    expect(first.status).toBe(303)
    const cookie = first.headers.getSetCookie().find((c) => c.startsWith('mw_session='))!.split(';')[0]
    expect((await getJsonWith(`${m.http}/api/me`, cookie)).id).toBe('li.na')
    expect((await fetch(link!, { redirect: 'manual' })).status).toBe(401)
  })

  it('refuses to start reachable from the network without real credentials', async () => {
    await expect(start({ DATA_DIR: tempDir(), HTTP_HOST: '0.0.0.0', MQTT_HOST: '0.0.0.0' })).rejects.toThrow(
      /exited with 78[\s\S]*no admin has a password[\s\S]*no device has credentials/,
    )
  })
})

async function getJsonWith(url: string, cookie: string) {
  return (await fetch(url, { headers: { cookie } })).json()
}
