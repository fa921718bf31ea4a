// Shared-subscription ingest workers (issue 7): real Mosquitto (MQTT 5, persistence on), real
// worker processes (ROLES=ingest), each writing its own DuckDB file here — what matters is
// that every reading the broker acknowledged to the device is stored exactly once across the
// workers, that a worker added mid-stream takes a share, and that a worker killed with
// SIGKILL mid-stream loses nothing: the messages it held unacknowledged, and its share queued
// while it was away, reach it when it comes back under the same INGEST_WORKER_ID (Mosquitto
// keeps routing a persistent member's share to its session; docs/deployment.md) — while one
// stopped with SIGTERM leaves the share group, so the others take everything after it.
import { afterEach, describe, expect, it } from 'vitest'
import { startDevice } from './helpers/device.ts'
import { tempDir } from './helpers/millwatch.ts'
import { startMosquitto } from './helpers/mosquitto.ts'
import { metric, spawnPart, storedTimestamps, type PartProcess } from './helpers/parts.ts'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {})
})

const SERIES = { equipment: 'stand1', sensor: 'speed_mps' }
const points = (w: PartProcess) => metric(w.http, 'mw_ingest_points_total')

describe('ingest workers on a shared subscription', () => {
  it('store every acknowledged reading once across the workers, spread the load, and lose nothing when one is killed', { timeout: 180_000 }, async () => {
    const broker = await startMosquitto()
    cleanup.push(() => broker.stop())
    const dirs: Record<string, string> = { w1: tempDir('mw-w1-'), w2: tempDir('mw-w2-'), w3: tempDir('mw-w3-') }
    const worker = async (id: string) => {
      const w = await spawnPart({ ROLES: 'ingest', MQTT_URL: broker.url, INGEST_WORKER_ID: id, DATA_DIR: dirs[id]! })
      cleanup.push(() => w.stop())
      return w
    }
    const w1 = await worker('w1')
    let w2 = await worker('w2')
    // A worker is a part with its own health and metrics, and no dashboard.
    expect(await (await fetch(`${w1.http}/healthz`)).json()).toMatchObject({ status: 'ok', parts: { roles: 'ingest', ingest: 'running', broker: 'external' } })
    expect((await fetch(`${w1.http}/api/plant`)).status).toBe(404)

    const t0 = Date.now() - 3_600_000
    const device = await startDevice({ url: broker.url, clientId: 'gateway-scale', ...SERIES, t0, rate: 800, window: 200, value: (i) => 5 + (i % 20) })
    cleanup.push(() => device.end())
    await expect.poll(async () => (await points(w1)) > 0 && (await points(w2)) > 0, { timeout: 30_000 }).toBe(true)

    // A third worker joins: the broker hands it a share of what follows.
    const w3 = await worker('w3')
    await expect.poll(() => points(w3), { timeout: 30_000 }).toBeGreaterThan(0)

    // Kill one mid-stream: no flush, no PUBACK for what it had in hand.
    const sentAtKill = device.sent
    w2.proc.kill('SIGKILL')
    await w2.exited
    await expect.poll(() => device.sent, { timeout: 30_000 }).toBeGreaterThan(sentAtKill + 2000)
    // It comes back under the same name and gets what waited in its session.
    w2 = await worker('w2')
    await expect.poll(() => points(w2), { timeout: 30_000 }).toBeGreaterThan(0)
    // A worker stopped on purpose leaves the share group first: what follows goes to the others
    // (were its share queued in its session, the readings below would be missing).
    expect(await w3.stop()).toBe(0)
    const sentAtLeave = device.sent
    await expect.poll(() => device.sent, { timeout: 30_000 }).toBeGreaterThan(sentAtLeave + 2000)
    await device.drain(60_000)
    const sent = device.sent
    expect(device.acked.size).toBe(sent)

    // The workers have taken everything once their counts stop moving (the restarted one
    // counts from zero, so there is no total to wait for); then stop them (SIGTERM flushes).
    const total = async () => (await Promise.all([w1, w2].map(points))).reduce((a, b) => a + b, 0)
    let last = -1
    const settled = async () => {
      const t = await total()
      const same = t === last
      last = t
      return same
    }
    await expect.poll(settled, { timeout: 60_000, interval: 1500 }).toBe(true)
    for (const w of [w1, w2]) expect(await w.stop()).toBe(0)

    const files = await Promise.all(['w1', 'w2', 'w3'].map((id) => storedTimestamps(dirs[id]!, SERIES)))
    const union = new Set<number>()
    for (const f of files) for (const ts of f) union.add(ts)
    // The load was spread: every worker stored a share.
    for (const f of files) expect(f.size).toBeGreaterThan(0)
    // Exactly once across the workers: no reading in two files…
    expect(files.reduce((n, f) => n + f.size, 0)).toBe(union.size)
    // …every acknowledged reading stored, and nothing that was never sent.
    const missing = [...device.acked].filter((i) => !union.has(device.tsOf(i)))
    expect(missing.length, `acknowledged but not stored: ${missing.slice(0, 10).join(', ')}`).toBe(0)
    expect(union.size).toBe(sent)
  })
})
