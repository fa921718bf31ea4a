// Spawns the real entry point (bin/millwatch.ts) as a user would, on free ports, and reads
// the URLs it prints. Used by the end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')

export interface RunningMillwatch {
  proc: ChildProcess
  http: string
  mqtt: string
  output: () => string
  /** resolves with the exit code */
  exited: Promise<number | null>
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export const tempDir = (prefix = 'mw-') => mkdtempSync(join(tmpdir(), prefix))

export async function spawnMillwatch(env: Record<string, string>, timeoutMs = 30_000): Promise<RunningMillwatch> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/millwatch.ts')], {
    cwd: ROOT,
    env: { ...process.env, HTTP_PORT: '0', MQTT_PORT: '0', MQTT_WS_PORT: '0', LOG_LEVEL: 'warn', SIMULATOR: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  proc.stdout!.on('data', (d) => (out += d))
  proc.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
  const urls = await new Promise<{ http: string; mqtt: string }>((resolveUrls, reject) => {
    const timer = setTimeout(() => reject(new Error(`millwatch did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs)
    const check = () => {
      const http = /web \+ API\s+(http:\/\/\S+)/.exec(out)?.[1]
      const mqtt = /MQTT broker\s+(mqtt:\/\/\S+)/.exec(out)?.[1] ?? /external broker (\S+)/.exec(out)?.[1]
      if (http && mqtt) {
        clearTimeout(timer)
        proc.stdout!.off('data', check)
        resolveUrls({ http, mqtt })
      }
    }
    proc.stdout!.on('data', check)
    void exited.then((code) => reject(new Error(`millwatch exited with ${code} before it was ready:\n${out}`)))
  })
  return {
    proc,
    ...urls,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      return exited
    },
  }
}

export async function getJson<T = any>(url: string): Promise<T> {
  const res = await fetch(url)
  if (!res.ok) throw new Error(`${url} → ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}
