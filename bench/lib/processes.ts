// Child processes the benchmarks run beside each other: millwatch itself, Mosquitto, and
// load generators.
import type { LoadReport } from '../load.ts'
import { spawn, spawnSync, fork, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { setPriority, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse, stringify } from 'yaml'
import { freePort } from './stats.ts'

export const ROOT = resolve(import.meta.dirname, '../..')

/** A config folder whose plant has `lines` copies of tcm1 (tcm1 … tcmN). */
export function benchConfig(lines: number, settings = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'mw-bench-conf-'))
  const plant = parse(readFileSync(join(ROOT, 'config/plant.yaml'), 'utf8'))
  const tcm1 = plant.lines.tcm1
  plant.lines = Object.fromEntries(Array.from({ length: lines }, (_, i) => [`tcm${i + 1}`, { ...tcm1, name: `Bench line ${i + 1}` }]))
  writeFileSync(join(dir, 'plant.yaml'), stringify(plant))
  writeFileSync(join(dir, 'millwatch.yaml'), settings)
  return dir
}

/** The environment the container image starts millwatch with: its Dockerfile's ENV lines. */
export function imageEnv(): Record<string, string> {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
  return Object.fromEntries([...dockerfile.matchAll(/^ENV (.+)$/gm)].flatMap((m) => m[1]!.split(/\s+/).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])))
}

/**
 * Whether a node started with `env` has the library `env.LD_PRELOAD` names loaded, and what it
 * wrote to stderr: ld.so only warns when it cannot preload one, jemalloc when a setting is wrong.
 */
export function probePreload(env: Record<string, string>): { loaded: boolean; stderr: string } {
  const probe = spawnSync(process.execPath, ['-e', "process.stdout.write(String(require('fs').readFileSync('/proc/self/maps', 'utf8').includes(process.env.LD_PRELOAD)))"], { env: { ...process.env, ...env }, encoding: 'utf8' })
  return { loaded: probe.stdout === 'true', stderr: probe.stderr.trim() }
}

/**
 * The image's allocator (docs/deployment.md, "Memory"): jemalloc preloaded in place of glibc's
 * malloc, and its settings. The benchmarks and the soak start millwatch with it, so that they
 * measure its memory as deployed, when this machine has the library (Debian's `libjemalloc2`);
 * `name` says which allocator ran. `LD_PRELOAD=` (empty) in the shell runs glibc's instead.
 */
export function allocator(): { name: string; env: Record<string, string> } {
  return (chosenAllocator ??= chooseAllocator())
}
let chosenAllocator: ReturnType<typeof allocator> | undefined
function chooseAllocator(): ReturnType<typeof allocator> {
  const env = Object.fromEntries(Object.entries(imageEnv()).filter(([k]) => k === 'LD_PRELOAD' || k === 'MALLOC_CONF'))
  if (!env.LD_PRELOAD || process.env.LD_PRELOAD !== undefined) return { name: process.env.LD_PRELOAD || "glibc's malloc", env: {} }
  const probe = probePreload(env)
  if (!probe.loaded) return { name: `glibc's malloc (the image preloads ${env.LD_PRELOAD}, which this machine lacks: apt-get install libjemalloc2)`, env: {} }
  if (probe.stderr) throw new Error(`the image's allocator settings (Dockerfile): ${probe.stderr}`)
  return { name: `${env.LD_PRELOAD} (as the image${env.MALLOC_CONF ? `, MALLOC_CONF=${env.MALLOC_CONF}` : ''})`, env }
}

export interface Millwatch {
  proc: ChildProcess
  http: string
  mqtt: string
  stop(): Promise<void>
}

/** `nodeArgs`: flags for node itself, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
export async function startMillwatch(env: Record<string, string>, nodeArgs: string[] = []): Promise<Millwatch> {
  const [http, mq, ws] = await Promise.all([freePort(), freePort(), freePort()])
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'bin/millwatch.ts')], {
    cwd: ROOT,
    env: { ...allocator().env, ...process.env, SIMULATOR: 'off', LOG_LEVEL: 'warn', HTTP_PORT: String(http), MQTT_PORT: String(mq), MQTT_WS_PORT: String(ws), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  proc.stdout!.on('data', (d) => (out += d))
  proc.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  await new Promise<void>((ok, fail) => {
    const t = setInterval(() => {
      if (out.includes('millwatch is running')) (clearInterval(t), ok())
      if (proc.exitCode !== null) (clearInterval(t), fail(new Error(`millwatch exited:\n${out}`)))
    }, 50)
  })
  return {
    proc,
    http: `http://127.0.0.1:${http}`,
    mqtt: `mqtt://127.0.0.1:${mq}`,
    async stop() {
      proc.kill('SIGTERM')
      await exited
    },
  }
}

/** Mosquitto (Debian package) on a free loopback port, configured not to drop QoS 1 under load. */
export async function startMosquitto(): Promise<{ url: string; proc: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'mw-bench-mosq-'))
  const conf = join(dir, 'mosquitto.conf')
  // The defaults (max_queued_messages 1000, max_inflight_messages 20) silently drop QoS 1
  // messages already acknowledged to the publisher once a subscriber falls behind.
  writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'max_queued_messages 0', 'max_inflight_messages 0', 'set_tcp_nodelay true', 'persistence false', ''].join('\n'),
  )
  const bin = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto'
  const proc = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  proc.stderr!.on('data', (d) => (err += d))
  const exited = new Promise<void>((r) => proc.once('exit', () => r()))
  const { connect } = await import('node:net')
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((r) => connect(port, '127.0.0.1').once('connect', function (this: import('node:net').Socket) { this.destroy(); r(true) }).once('error', () => r(false)))
    if (ok) break
    if (proc.exitCode !== null || i > 100) throw new Error(`mosquitto did not start (is the Debian package installed?):\n${err}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return { url: `mqtt://127.0.0.1:${port}`, proc, async stop() { proc.kill('SIGTERM'); await exited } }
}

/**
 * Runs one load generator child and resolves with its report. `nice` lowers its CPU priority
 * (setpriority): the generators stand in for gateways on their own machines, and on a small
 * box at equal priority the scheduler hands them the core the system under test needs.
 */
export function runLoad<T>(options: object, nice = 0): Promise<T> {
  const child = fork(join(ROOT, 'bench/load.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  if (nice && child.pid) setPriority(child.pid, nice)
  return new Promise<T>((resolve, reject) => {
    child.once('message', (m: { report?: T; error?: string }) => (m.report ? resolve(m.report) : reject(new Error(m.error))))
    child.once('exit', (code) => code && reject(new Error(`load generator exited with ${code}`)))
    child.send(options)
  })
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix))

/**
 * The benchmarks' background load: `lines` split evenly over `generators` processes, each
 * publishing 10-value messages over its share of `connections`, `window` (default 500) QoS 1
 * messages in flight per connection.
 */
export function runLoadSplit(o: {
  url: string
  lines: readonly string[]
  pointsPerSecond: number
  durationMs: number
  generators: number
  connections: number
  clientPrefix: string
  window?: number
  /** CPU priority of the generator processes (0 = as the bench; 19 = lowest) */
  nice?: number
}): Promise<LoadReport[]> {
  const perGen = o.lines.length / o.generators
  return Promise.all(
    Array.from({ length: o.generators }, (_, g) =>
      runLoad<LoadReport>({
        url: o.url,
        lines: o.lines.slice(Math.round(g * perGen), Math.round((g + 1) * perGen)),
        msgsPerSecond: o.pointsPerSecond / 10 / o.generators,
        durationMs: o.durationMs,
        clients: o.connections / o.generators,
        window: o.window ?? 500,
        seed: g + 1,
        clientPrefix: `${o.clientPrefix}-${g}`,
      }, o.nice),
    ),
  )
}
