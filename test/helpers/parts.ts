// Parts as processes in tests (issue 7): spawns bin/millwatch.ts with ROLES as a deployment
// would, on its own HTTP port, and reads its /healthz and /metrics. Unlike spawnMillwatch it
// can return before the process is ready (a standby waits for the records store).
import { spawn, type ChildProcess } from 'node:child_process'
import { join, resolve } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { freePort } from './mosquitto.ts'

const ROOT = resolve(import.meta.dirname, '../..')

export interface PartProcess {
  proc: ChildProcess
  /** http://127.0.0.1:<port> — the dashboard, or only /healthz and /metrics */
  http: string
  output(): string
  exited: Promise<number | null>
  /** resolves once it printed "millwatch is running" */
  running: Promise<void>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** `args`: the command-line form (`millwatch alerts coils`); `wait: false` returns before it is ready. */
export async function spawnPart(env: Record<string, string>, opts: { args?: string[]; wait?: boolean; timeoutMs?: number } = {}): Promise<PartProcess> {
  const port = env.HTTP_PORT ?? String(await freePort())
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/millwatch.ts'), ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, MQTT_PORT: '0', MQTT_WS_PORT: '0', LOG_LEVEL: 'warn', SIMULATOR: 'off', ...env, HTTP_PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  proc.stdout!.on('data', (d) => (out += d))
  proc.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
  const timeoutMs = opts.timeoutMs ?? 90_000
  const running = new Promise<void>((ok, fail) => {
    const t = setInterval(() => {
      if (out.includes('millwatch is running')) (clearInterval(t), ok())
      else if (proc.exitCode !== null || proc.signalCode !== null) (clearInterval(t), fail(new Error(`millwatch exited before it was ready:\n${out}`)))
    }, 50)
  })
  running.catch(() => {})
  if (opts.wait !== false)
    await Promise.race([running, new Promise((_, fail) => setTimeout(() => fail(new Error(`millwatch did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs).unref())])
  return {
    proc,
    http: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    running,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      return exited
    },
  }
}

/** A counter from the process's /metrics (0 when absent or unreachable). */
export async function metric(http: string, name: string): Promise<number> {
  try {
    const text = await (await fetch(`${http}/metrics`)).text()
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0)
  } catch {
    return 0
  }
}

/** Distinct timestamps of one series in a stopped process's DuckDB file. */
export async function storedTimestamps(dataDir: string, k: { line?: string; equipment: string; sensor: string }): Promise<Set<number>> {
  const db = await DuckDBInstance.create(join(dataDir, 'millwatch.duckdb'), { access_mode: 'READ_ONLY' })
  try {
    const c = await db.connect()
    const r = await c.runAndReadAll(
      'SELECT DISTINCT ts FROM points WHERE series_id = (SELECT id FROM series WHERE line = $1 AND equipment = $2 AND sensor = $3)',
      [k.line ?? 'tcm1', k.equipment, k.sensor],
    )
    c.closeSync()
    return new Set(r.getRows().map(([ts]) => Number(ts)))
  } finally {
    db.closeSync()
  }
}
