// Fault: clocks jumping — a device's, and millwatch's own.
//
// A device whose clock jumps an hour ahead and back: its readings from that hour are dead
// letters (future_timestamp, still acknowledged: resending would not make them valid), the
// rest of its readings and every other device's are stored exactly once.
//
// millwatch's own wall clock jumping (an NTP step, a VM resumed): millwatch runs under
// libfaketime (Debian package `faketime`), whose offset is read from a file, so the test
// moves millwatch's clock an hour ahead and back while a device streams. The monotonic
// clock is left alone (FAKETIME_DONT_FAKE_MONOTONIC), as in a real wall-clock step, so
// timers keep their pace. While an hour ahead, maintenance (every 10 s) rolls up minutes
// that are still receiving readings, which then arrive as "late": bucket counts must still
// equal the raw points. Asserted: ingest keeps acknowledging and storing through both jumps,
// every acknowledged reading is stored once, and millwatch neither crashes nor logs errors.
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { startDevice, until } from '../helpers/device.ts'
import { spawnMillwatch, tempDir } from '../helpers/millwatch.ts'
import { expectStoredOnce } from '../helpers/stored.ts'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined)
})

const HOUR = 3_600_000
const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1', '/usr/lib/faketime/libfaketimeMT.so.1'].find(existsSync)
const metric = async (http: string, re: RegExp) => Number(re.exec(await (await fetch(`${http}/metrics`)).text())?.[1] ?? 0)

describe('fault: clocks jumping', () => {
  it("a device's clock an hour ahead and back: that hour's readings are dead letters, nothing else is affected", { timeout: 90_000 }, async () => {
    const m = await spawnMillwatch({ DATA_DIR: tempDir('mw-fault-clock-') })
    cleanup.push(() => m.stop('SIGKILL'))
    const jumped = (i: number) => i >= 1000 && i < 2000
    const key = { equipment: 'stand5', sensor: 'speed_mps' }
    const other = { equipment: 'stand3', sensor: 'vibration_mm_s' }
    const t0 = Date.now() - 60_000
    const device = await startDevice({ url: m.mqtt, clientId: 'gw-clock', ...key, t0, window: 100, value: (i) => (i % 400) / 10, wireTs: (i, ts) => (jumped(i) ? ts + HOUR : ts) })
    const neighbour = await startDevice({ url: m.mqtt, clientId: 'gw-neighbour', ...other, t0, window: 100, value: (i) => (i % 100) / 10 })
    cleanup.push(() => device.end(), () => neighbour.end())

    await until(() => device.acked.size >= 3000 && neighbour.acked.size >= 3000, '3000 readings from each device', 40_000)
    await Promise.all([device.drain(), neighbour.drain()])

    await expectStoredOnce(m.http, key, device, (i) => !jumped(i))
    await expectStoredOnce(m.http, other, neighbour)
    const stored = await (await fetch(`${m.http}/api/series?line=tcm1&equipment=stand5&sensor=speed_mps&from=${t0}&to=${t0 + HOUR + device.sent}&limit=100000`)).json()
    expect(stored.points).toHaveLength(device.sent - 1000) // nothing of the jumped hour, at either time
    expect(await metric(m.http, /mw_ingest_dead_letters_total\{reason="future_timestamp"\} (\d+)/)).toBe(1000)
    expect(await metric(m.http, /mw_ingest_points_total (\d+)/)).toBe(device.sent - 1000 + neighbour.sent)
  })

  it.skipIf(!LIBFAKETIME)("millwatch's own clock an hour ahead and back (libfaketime): ingest keeps storing, nothing crashes", { timeout: 90_000 }, async () => {
    const data = tempDir('mw-fault-faketime-')
    const offsetFile = join(data, 'faketime')
    writeFileSync(offsetFile, '+0\n')
    const m = await spawnMillwatch({
      DATA_DIR: data,
      LD_PRELOAD: LIBFAKETIME!,
      FAKETIME_TIMESTAMP_FILE: offsetFile,
      FAKETIME_CACHE_DURATION: '1', // re-read the file every second
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    })
    cleanup.push(() => m.stop('SIGKILL'))
    const key = { equipment: 'stand1', sensor: 'roll_force_kN' }
    // 10 ms apart from 2.5 minutes ago: the readings span minutes around the rollup lag (2 min).
    const device = await startDevice({ url: m.mqtt, clientId: 'gw-faketime', ...key, t0: Date.now() - 150_000, stepMs: 10, window: 50, value: (i) => 10_000 + (i % 1000) })
    cleanup.push(() => device.end())

    // Where millwatch's clock stands: a reading without ts is stored at its time of receipt.
    // (Not read with /api/latest: after the jump back, the reading stamped an hour ahead
    // stays the newest for an hour.)
    const probe = await mqtt.connectAsync(m.mqtt, { clientId: 'gw-probe' })
    cleanup.push(() => probe.endAsync(true))
    let probes = 0
    const millwatchOffset = async () => {
      const value = ++probes // unique: coil_diameter_mm goes to 2500
      await probe.publishAsync('plant/tcm1/exit/telemetry', JSON.stringify({ values: { coil_diameter_mm: value } }), { qos: 1 })
      const now = Date.now()
      const r = await (await fetch(`${m.http}/api/series?line=tcm1&equipment=exit&sensor=coil_diameter_mm&from=${now - 2 * HOUR}&to=${now + 2 * HOUR}`)).json()
      return r.points.findLast((p: { value: number }) => p.value === value).ts - now
    }
    expect(Math.abs(await millwatchOffset())).toBeLessThan(5000)
    await until(() => device.acked.size >= 800, '800 readings before the jump', 30_000)

    writeFileSync(offsetFile, '+1h\n')
    await expect.poll(millwatchOffset, { timeout: 10_000, interval: 200 }).toBeGreaterThan(HOUR - 60_000)
    let mark = device.acked.size
    // Stay an hour ahead past a maintenance pass (every 10 s), storing all along.
    await new Promise((r) => setTimeout(r, 11_000))
    expect(device.acked.size).toBeGreaterThan(mark + 500)

    writeFileSync(offsetFile, '+0\n')
    await expect.poll(millwatchOffset, { timeout: 10_000, interval: 200 }).toBeLessThan(60_000)
    mark = device.acked.size
    await until(() => device.acked.size >= mark + 800, '800 readings after the jump back', 30_000)
    await device.drain()

    const r = await expectStoredOnce(m.http, key, device) // raw points, 1 s buckets and 1 min buckets (rollups) agree
    expect(r.stored).toBe(device.sent)
    expect((await fetch(`${m.http}/healthz`)).status).toBe(200)
    expect(m.proc.exitCode).toBe(null)
    expect(m.output()).not.toMatch(/"level":(50|60)/) // no error or fatal log line
    expect(await m.stop('SIGTERM')).toBe(0)
  })
})
