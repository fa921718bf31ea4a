// Mosquitto (the Debian package, 2.0.x) as the plant's external broker in tests: on a fixed
// loopback port so it can be restarted in place, with persistence on (sessions and queued
// QoS 1 messages survive a restart) and without the default queue limits, which silently
// drop QoS 1 messages already acknowledged to the publisher (DESIGN.md, "Mosquitto risk").
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export const MOSQUITTO = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto'

export interface Mosquitto {
  url: string
  port: number
  /** folder of mosquitto.conf and the persistence file */
  dir: string
  proc: ChildProcess
  output(): string
  /** SIGTERM (Mosquitto saves its persistence file on the way out), or the signal given */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** stops and starts again on the same port with the same persistence file */
  restart(): Promise<void>
}

export async function startMosquitto(opts: { port?: number } = {}): Promise<Mosquitto> {
  const port = opts.port ?? (await freePort())
  const dir = mkdtempSync(join(tmpdir(), 'mw-mosq-'))
  // Started as root, Mosquitto drops to the `mosquitto` user: it must be able to write its
  // persistence file here, or every save fails ("Permission denied", only logged) and a
  // restart loses the sessions and every message queued for them.
  chmodSync(dir, 0o777)
  const conf = join(dir, 'mosquitto.conf')
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      'autosave_interval 1',
      // 0 = no limit: never drop a QoS 1 message because a subscriber fell behind
      'max_queued_messages 0',
      'max_queued_bytes 0',
      'max_inflight_messages 0',
      'set_tcp_nodelay true',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      '',
    ].join('\n'),
  )
  let out = ''
  let proc!: ChildProcess
  let exited!: Promise<void>

  async function launch() {
    proc = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
    proc.stderr!.on('data', (d) => (out += d))
    exited = new Promise<void>((r) => proc.once('exit', () => r()))
    for (let i = 0; ; i++) {
      const ok = await new Promise<boolean>((r) => {
        const s = connect(port, '127.0.0.1')
        s.once('connect', () => (s.destroy(), r(true))).once('error', () => r(false))
      })
      if (ok) return
      if (proc.exitCode !== null || i > 200) throw new Error(`mosquitto did not start on port ${port} (is the Debian package installed?):\n${out}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  await launch()

  const m: Mosquitto = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir,
    get proc() {
      return proc
    },
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      await exited
    },
    async restart() {
      await m.stop()
      await launch()
    },
  }
  return m
}
