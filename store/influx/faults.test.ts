// No acknowledged reading lost: the real InfluxDB is stopped, hung and restarted while
// readings stream in, and every reading whose write() resolved is counted in InfluxDB
// afterwards — exactly once, resends included. The spool's bound, its metric and its
// replay by the next process are tested here too.
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Registry } from 'prom-client'
import type { Point } from '../../core/payloads.ts'
import { influxdMissing, startInflux, type InfluxServer } from '../../test/helpers/influx.ts'
import { openInfluxStore, type InfluxStore, type InfluxStoreOptions } from './index.ts'

const missing = influxdMissing()
const T0 = 1_764_000_000_000
const dirs: string[] = []
let server: InfluxServer
beforeAll(async () => {
  if (!missing) server = await startInflux()
})
afterAll(async () => {
  await server?.close()
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'millwatch-spool-'))
  dirs.push(d)
  return d
}
const open = async (o: Partial<InfluxStoreOptions> = {}) =>
  openInfluxStore({ url: server.url, bucket: server.database, spoolDir: await tempDir(), spoolAfterMs: 500, timeoutMs: 3000, ...o })

/** How many points of a line InfluxDB holds (one per series and timestamp). */
async function stored(line: string): Promise<number> {
  const r = await server.query(`SELECT count("value") FROM "telemetry" WHERE "line" = '${line}'`).catch(() => ({ series: undefined }))
  return (r.series?.[0]?.values[0]?.[1] as number | undefined) ?? 0
}

/** Writes 50-point messages every few ms from 3 "devices"; counts what was acknowledged. */
function stream(store: InfluxStore, line: string) {
  let running = true
  let seq = 0
  const acked = new Set<string>()
  let refused = 0
  const device = async (equipment: string) => {
    while (running) {
      const n = seq++
      const points: Point[] = Array.from({ length: 50 }, (_, i) => ({ line, equipment, sensor: `s${i % 5}`, ts: T0 + n * 10 + Math.floor(i / 5), value: n + i / 100 }))
      try {
        await store.timeseries.write(points)
        for (const p of points) acked.add(`${p.equipment}/${p.sensor}/${p.ts}`)
        // A QoS 1 resend of every 7th message: it must not be counted twice.
        if (n % 7 === 0) await store.timeseries.write(points)
      } catch {
        refused += points.length
        await new Promise((r) => setTimeout(r, 50))
      }
      await new Promise((r) => setTimeout(r, 3))
    }
  }
  const devices = Promise.all(['stand1', 'stand2', 'stand3'].map(device))
  return {
    acked,
    get refused() {
      return refused
    },
    async stop() {
      running = false
      await devices
    },
  }
}

/** Every reading of a line InfluxDB holds, as equipment/sensor/ts. */
async function storedKeys(line: string): Promise<Set<string>> {
  const r = await server.query(`SELECT "value" FROM "telemetry" WHERE "line" = '${line}' GROUP BY "equipment", "sensor"`)
  return new Set((r.series ?? []).flatMap((x) => x.values.map((v) => `${x.tags!.equipment}/${x.tags!.sensor}/${v[0]}`)))
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.skipIf(missing)('InfluxDB store faults', () => {
  it('keeps every acknowledged reading exactly once when InfluxDB is stopped and restarted mid-stream', async () => {
    const store = await open()
    const line = 'fault-restart'
    const s = stream(store, line)
    await expect.poll(() => s.acked.size, { timeout: 20_000 }).toBeGreaterThan(2000)
    await server.stop()
    const beforeDown = s.acked.size
    await expect.poll(() => s.acked.size, { timeout: 20_000 }).toBeGreaterThan(beforeDown + 3000) // acknowledged from the spool
    expect(store.spool().points).toBeGreaterThan(0)
    await server.start()
    const afterUp = s.acked.size
    await expect.poll(() => s.acked.size, { timeout: 20_000 }).toBeGreaterThan(afterUp + 2000)
    await s.stop()
    expect(s.refused).toBe(0)
    await expect.poll(() => store.spool().points, { timeout: 30_000 }).toBe(0)
    expect(await storedKeys(line)).toEqual(s.acked) // each acknowledged reading, once (resends included)
    await store.close()
  })

  it('acknowledges from the spool while InfluxDB hangs, and stores it all once it answers', async () => {
    const store = await open()
    const line = 'fault-hang'
    const s = stream(store, line)
    await expect.poll(() => s.acked.size, { timeout: 20_000 }).toBeGreaterThan(1000)
    await server.stop('SIGSTOP')
    try {
      const before = s.acked.size
      await expect.poll(() => s.acked.size, { timeout: 20_000 }).toBeGreaterThan(before + 3000)
      expect(store.spool().points).toBeGreaterThan(0)
    } finally {
      await server.resume()
    }
    await settle(500)
    await s.stop()
    expect(s.refused).toBe(0)
    await expect.poll(() => store.spool().points, { timeout: 30_000 }).toBe(0)
    expect(await storedKeys(line)).toEqual(s.acked)
    await store.close()
  })

  it('counts readings as pending while InfluxDB is slow (the broker then slows devices down), and resolves writes in the order made', async () => {
    const store = await open({ spoolAfterMs: 60_000, timeoutMs: 60_000, maxInFlight: 4 }) // 4 requests may finish in any order
    const line = 'fault-slow'
    await server.stop('SIGSTOP')
    const order: number[] = []
    const writes: Promise<void>[] = []
    try {
      for (let w = 0; w < 20; w++) {
        const points = Array.from({ length: 100 }, (_, i) => ({ line, equipment: 'stand4', sensor: 'tension_kN', ts: T0 + w * 100 + i, value: w }))
        writes.push(store.timeseries.write(points).then(() => void order.push(w)))
        await settle(25) // a batch each (20 ms flush interval)
      }
      await expect.poll(() => store.timeseries.stats().pending, { timeout: 10_000 }).toBe(2000)
      expect(order).toEqual([])
    } finally {
      await server.resume()
    }
    await Promise.all(writes)
    expect(order).toEqual(Array.from({ length: 20 }, (_, w) => w))
    expect(store.timeseries.stats().pending).toBe(0)
    expect(await stored(line)).toBe(2000)
    await store.close()
  })

  it('refuses readings when the spool is full (metric and log), and takes them again once InfluxDB is back', async () => {
    const metrics = new Registry()
    const logged: string[] = []
    const log = (await import('pino')).pino({ level: 'warn' }, { write: (l: string) => void logged.push(l) })
    const store = await open({ spoolMaxBytes: 20_000, metrics, log })
    const line = 'fault-full'
    await server.stop()
    const s = stream(store, line)
    await expect.poll(() => s.refused, { timeout: 20_000 }).toBeGreaterThan(0)
    expect(store.spool().bytes).toBeLessThanOrEqual(20_000)
    expect(await metrics.getSingleMetricAsString('mw_influx_spool_full')).toMatch(/mw_influx_spool_full 1/)
    expect(logged.join('')).toMatch(/spool is full/)
    await server.start()
    await expect.poll(() => s.acked.size, { timeout: 30_000 }).toBeGreaterThan(2000)
    await s.stop()
    await expect.poll(() => store.spool().points, { timeout: 30_000 }).toBe(0)
    expect(await metrics.getSingleMetricAsString('mw_influx_spool_full')).toMatch(/mw_influx_spool_full 0/)
    // Refused writes may have reached InfluxDB (a timed-out request it did take); acknowledged ones must.
    const keys = await storedKeys(line)
    expect([...s.acked].filter((k) => !keys.has(k))).toEqual([])
    await store.close()
  })

  it('replays what an earlier run left in the spool', async () => {
    const spoolDir = await tempDir()
    const line = 'fault-reopen'
    await server.stop()
    const a = await open({ spoolDir })
    const points: Point[] = Array.from({ length: 300 }, (_, i) => ({ line, equipment: 'exit', sensor: 'thickness_um', ts: T0 + i, value: 800 + i / 10 }))
    await a.timeseries.write(points)
    await a.close()
    expect((await readdir(spoolDir)).filter((f) => f.endsWith('.lp'))).not.toHaveLength(0)
    await server.start()
    const b = await open({ spoolDir })
    await expect.poll(() => stored(line), { timeout: 30_000 }).toBe(300)
    await expect.poll(async () => (await readdir(spoolDir)).filter((f) => f.endsWith('.lp')), { timeout: 10_000 }).toEqual([])
    expect(await b.timeseries.range({ line, equipment: 'exit', sensor: 'thickness_um', from: T0, to: T0 + 1000 })).toEqual(points.map(({ ts, value }) => ({ ts, value })))
    await b.close()
  })

  it('refuses a spool folder another running process holds', async () => {
    const spoolDir = await tempDir()
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
    try {
      await writeFile(join(spoolDir, 'spool.lock'), String(other.pid))
      await expect(open({ spoolDir })).rejects.toThrow(`in use by process ${other.pid}`)
    } finally {
      other.kill()
    }
    await new Promise((r) => other.once('exit', r))
    const s = await open({ spoolDir }) // its process is gone: the lock is taken over
    await s.close()
  })
})
