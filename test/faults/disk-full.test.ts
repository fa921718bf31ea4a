// Fault: the store's disk fills up under a live QoS 1 stream, then gets room again.
//
// How the disk is filled: millwatch runs as a child and its file-size limit is lowered to
// 0 while it runs (`prlimit --pid … --fsize=0:unlimited`). Node ignores SIGXFSZ, so every
// write DuckDB makes to its WAL or database file fails with EFBIG ("File too large") — to
// millwatch the same as ENOSPC: the commit fails. Lifting the limit is the disk getting
// room again. Unlike the store test's WAL-on-/dev/full, this works on a process that is
// already running with its files open, needs no second file system, and works as root.
//
// Asserted: while the disk is full no publish is acknowledged (no PUBACK, the connection
// is closed, the device's client reconnects and resends); millwatch does not exit, keeps
// answering, and /healthz says the store is degraded (503); once there is room it carries on
// by itself (/healthz 200 again), and every reading that was ever acknowledged is stored
// exactly once.
import { execFileSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { startDevice, until } from '../helpers/device.ts'
import { spawnMillwatch, tempDir } from '../helpers/millwatch.ts'
import { expectStoredOnce, physicalRows } from '../helpers/stored.ts'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined)
})

const key = { equipment: 'stand2', sensor: 'roll_force_kN' }
const fsize = (pid: number, limit: string) => execFileSync('prlimit', [`--pid=${pid}`, `--fsize=${limit}`])
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('fault: the store disk full', () => {
  it('refuses publishes while the disk is full, recovers by itself, and stores every acknowledged reading once', { timeout: 90_000 }, async () => {
    const data = tempDir('mw-fault-disk-')
    const m = await spawnMillwatch({ DATA_DIR: data, LOG_LEVEL: 'warn' })
    cleanup.push(() => m.stop('SIGKILL'))
    const pid = m.proc.pid!
    const device = await startDevice({ url: m.mqtt, clientId: 'gw-disk', ...key, t0: Date.now() - 60_000, window: 50, value: (i) => i % 30_000 })
    cleanup.push(() => device.end())
    await until(() => device.acked.size >= 1500, '1500 acknowledged readings before the disk fills')

    fsize(pid, '0:unlimited')
    // Commits already past DuckDB when the limit came may still be acknowledged; then nothing.
    await sleep(1000)
    const whileFull = device.acked.size
    await sleep(3000)
    expect(device.acked.size).toBe(whileFull)
    expect(device.sent - device.acked.size).toBeGreaterThan(0) // the device is waiting, not idle
    const dropsWhileFull = device.disconnects
    expect(m.output()).toMatch(/store did not commit; publish refused/)
    expect(m.output()).toMatch(/File too large|EFBIG|No space/i)
    expect(m.proc.exitCode).toBe(null)
    const health = await fetch(`${m.http}/healthz`)
    expect(health.status).toBe(503)
    expect(await health.json()).toMatchObject({ status: 'degraded', store: 'degraded' })
    expect((await fetch(`${m.http}/api/plant`)).status).toBe(200) // still answering

    fsize(pid, 'unlimited:unlimited')
    await until(() => device.acked.size >= whileFull + 1500, 'acknowledgements again once the disk has room', 30_000)
    expect((await fetch(`${m.http}/healthz`)).status).toBe(200)
    await device.drain()
    expect(dropsWhileFull).toBeGreaterThan(1) // each refused publish closed the connection; the client came back

    const r = await expectStoredOnce(m.http, key, device)
    expect(r.stored).toBe(device.sent)
    expect(await m.stop('SIGTERM')).toBe(0)
    const rows = await physicalRows(data, key)
    expect(rows.distinct).toBe(device.sent)
    console.info(`disk full: ${whileFull} acknowledged before, ${device.sent} stored once after recovery, ${device.disconnects} disconnections, ${rows.rows - rows.distinct} duplicate rows in the file`)
  })
})
