// Fault: the store's disk turns read-only under a live QoS 1 stream, then writable again.
//
// How the disk turns read-only: a kernel that finds a disk failing remounts its file system
// read-only (ext4 `errors=remount-ro`), and from then on every write, even to files a process
// already has open, fails with EROFS. A test cannot do that to a file system the way the kernel
// does: `mount -o remount,ro` (of a tmpfs, or a read-only bind mount) is refused with EBUSY
// while any file on it is open for writing, and DuckDB keeps its database and WAL open; only
// an emergency remount (sysrq) forces it, on every file system of the machine at once. Running
// millwatch as an unprivileged user and chmod-ing its folder does not do it either: permissions
// are checked when a file is opened, so DuckDB would go on writing through its open files.
// So the test injects the fault at the system-call boundary instead: `strace` attaches to the
// running millwatch (we run as root, so ptrace is allowed) and makes every write, open,
// truncate, rename and unlink of the database file and its WAL fail with EROFS — what those
// calls return on a file system remounted read-only — while sockets and logs work as before.
// Detaching strace is the disk becoming writable again. (strace comes from Debian; .ci/run
// installs it.)
//
// Asserted, as for a full disk: while the disk is read-only no publish is acknowledged;
// millwatch does not exit, keeps answering, and /healthz says the store is degraded (503);
// once the disk is writable it carries on by itself (/healthz 200), and every reading that
// was ever acknowledged is stored exactly once.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startDevice, until } from '../helpers/device.ts'
import { spawnMillwatch, tempDir } from '../helpers/millwatch.ts'
import { expectStoredOnce, physicalRows } from '../helpers/stored.ts'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined)
})

const key = { equipment: 'stand4', sensor: 'tension_kN' }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** The system calls that fail with EROFS on a read-only file system, for the files named. */
const WRITES = 'write,pwrite64,writev,pwritev,pwritev2,ftruncate,fallocate,openat,unlink,unlinkat,rename,renameat,renameat2'

/** Makes the files read-only to process `pid` (all its threads) until the returned function is called. */
async function readOnly(pid: number, files: string[]): Promise<{ undo: () => Promise<void>; injected: () => number }> {
  const log = join(tempDir('mw-fault-ro-trace-'), 'trace.txt')
  const args = ['-f', '-p', String(pid), '-o', log, ...files.flatMap((f) => ['-P', f]), '-e', `trace=${WRITES}`, '-e', `inject=${WRITES}:error=EROFS`]
  const strace = spawn('strace', args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  strace.stderr.on('data', (d) => (err += d))
  const exited = new Promise<void>((r) => strace.once('exit', () => r()))
  // strace reports each thread it attached to; the process is traced once it has said so.
  await until(() => /attached/.test(err) || strace.exitCode !== null, 'strace attached')
  if (strace.exitCode !== null) throw new Error(`strace could not attach: ${err}`)
  await sleep(500) // the rest of the threads
  return {
    injected: () => readFileSync(log, 'utf8').split('(INJECTED)').length - 1,
    async undo() {
      strace.kill('SIGINT') // strace detaches from every thread and exits; the process goes on
      await exited
    },
  }
}

describe('fault: the store disk read-only', () => {
  it('refuses publishes while the disk is read-only, recovers by itself, and stores every acknowledged reading once', { timeout: 120_000 }, async () => {
    const data = tempDir('mw-fault-ro-')
    const m = await spawnMillwatch({ DATA_DIR: data, LOG_LEVEL: 'warn' })
    cleanup.push(() => m.stop('SIGKILL'))
    const device = await startDevice({ url: m.mqtt, clientId: 'gw-ro', ...key, t0: Date.now() - 60_000, window: 50, value: (i) => i % 800 }) // within the sensor's range [0, 800]
    cleanup.push(() => device.end())
    await until(() => device.acked.size >= 1500, '1500 acknowledged readings before the disk turns read-only')

    const ro = await readOnly(m.proc.pid!, [join(data, 'millwatch.duckdb'), join(data, 'millwatch.duckdb.wal')])
    cleanup.push(() => ro.undo())
    // Commits already past DuckDB when the fault came may still be acknowledged; then nothing.
    await sleep(1000)
    const whileReadOnly = device.acked.size
    await sleep(3000)
    expect(device.acked.size).toBe(whileReadOnly)
    expect(device.sent - device.acked.size).toBeGreaterThan(0) // the device is waiting, not idle
    expect(ro.injected()).toBeGreaterThan(0) // the store did try to write, and was refused
    expect(m.output()).toMatch(/store did not commit; publish refused/)
    expect(m.output()).toMatch(/Read-only file system|EROFS/i)
    expect(m.proc.exitCode).toBe(null)
    const health = await fetch(`${m.http}/healthz`)
    expect(health.status).toBe(503)
    expect(await health.json()).toMatchObject({ status: 'degraded', store: 'degraded' })
    expect((await fetch(`${m.http}/api/plant`)).status).toBe(200) // still answering

    await ro.undo()
    await until(() => device.acked.size >= whileReadOnly + 1500, 'acknowledgements again once the disk is writable', 45_000)
    await expect.poll(async () => (await fetch(`${m.http}/healthz`)).status, { timeout: 30_000 }).toBe(200)
    await device.drain()

    const r = await expectStoredOnce(m.http, key, device)
    expect(r.stored).toBe(device.sent)
    expect(await m.stop('SIGTERM')).toBe(0)
    const rows = await physicalRows(data, key)
    expect(rows.distinct).toBe(device.sent)
    console.info(`read-only: ${whileReadOnly} acknowledged before, ${device.sent} stored once after recovery, ${device.disconnects} disconnections, ${rows.rows - rows.distinct} duplicate rows in the file`)
  })
})
