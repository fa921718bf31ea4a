// A real InfluxDB for tests and benchmarks: Debian's `influxdb` package (1.6.7), started on
// free loopback ports with a config file and data folder of its own, so it can be stopped
// and restarted in place (fault tests) and removed afterwards. Reporting to InfluxData, the
// internal monitor and every listener but HTTP are off.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './mosquitto.ts'

export const INFLUXD = ['/usr/bin/influxd', '/usr/sbin/influxd'].find((p) => existsSync(p))

/**
 * Whether tests can start InfluxDB here. Without it they are skipped locally with this
 * message, but fail on CI (`CI` set), where `.ci/run` installs the package.
 */
export function influxdMissing(): string | undefined {
  if (INFLUXD) return undefined
  const why = 'influxd not found: install the Debian package `influxdb` to run the InfluxDB tests'
  if (process.env.CI) throw new Error(why)
  return why
}

export interface InfluxServer {
  url: string
  port: number
  database: string
  dir: string
  proc: ChildProcess
  output(): string
  /** SIGTERM (InfluxDB flushes its cache), or the signal given; `SIGSTOP` hangs it */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** continues a server hung with stop('SIGSTOP') */
  resume(): Promise<void>
  /** starts again on the same port with the same data */
  start(): Promise<void>
  /** an InfluxQL statement against the database (epoch ms), the parsed first result */
  query(q: string): Promise<{ series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }> }>
  /** stops it and removes its folder */
  close(): Promise<void>
}

export async function startInflux(opts: { database?: string } = {}): Promise<InfluxServer> {
  if (!INFLUXD) throw new Error(influxdMissing() ?? 'influxd not found')
  const [port, rpcPort] = [await freePort(), await freePort()]
  const dir = mkdtempSync(join(tmpdir(), 'mw-influx-'))
  const conf = join(dir, 'influxdb.conf')
  writeFileSync(
    conf,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`, // backup/restore RPC: cannot be turned off
      '[meta]', `  dir = "${dir}/meta"`,
      '[data]', `  dir = "${dir}/data"`, `  wal-dir = "${dir}/wal"`, '  query-log-enabled = false',
      '[http]', `  bind-address = "127.0.0.1:${port}"`, '  log-enabled = false',
      '[monitor]', '  store-enabled = false',
      '[subscriber]', '  enabled = false',
      '[continuous_queries]', '  enabled = false',
      '[logging]', '  level = "warn"',
      '',
    ].join('\n'),
  )
  const url = `http://127.0.0.1:${port}`
  const database = opts.database ?? 'millwatch'
  let out = ''
  let proc!: ChildProcess
  let exited: Promise<void> = Promise.resolve()

  async function start() {
    proc = spawn(INFLUXD!, ['-config', conf], { stdio: ['ignore', 'pipe', 'pipe'] })
    proc.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)))
    proc.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)))
    exited = new Promise<void>((r) => proc.once('exit', () => r()))
    for (let i = 0; ; i++) {
      const ok = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 204, () => false)
      if (ok) return
      if (proc.exitCode !== null || i > 300) throw new Error(`influxd did not start on port ${port}:\n${out}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  async function query(q: string) {
    const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ db: database, q, epoch: 'ms' }) })
    const body = (await res.json()) as { error?: string; results?: Array<{ error?: string }> }
    const err = body.error ?? body.results?.[0]?.error
    if (err) throw new Error(`InfluxDB: ${err} (${q})`)
    return body.results![0] as Awaited<ReturnType<InfluxServer['query']>>
  }

  await start()
  await query(`CREATE DATABASE "${database}"`)

  const s: InfluxServer = {
    url, port, database, dir,
    get proc() {
      return proc
    },
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      if (signal === 'SIGSTOP') return
      proc.kill('SIGCONT') // a hung (stopped) server gets the signal only once it runs
      await exited
    },
    resume: async () => void proc.kill('SIGCONT'),
    start,
    query,
    async close() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGCONT')
        proc.kill('SIGKILL')
      }
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return s
}
