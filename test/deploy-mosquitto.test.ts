// The Mosquitto configuration docker-compose.yml ships (deploy/mosquitto/), run by the real
// Debian Mosquitto here with only its port and paths changed: devices and millwatch must sign
// in, the ACL lets millwatch join the shared subscription the ingest workers use and keeps a
// gateway from forging alarms.
import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, MOSQUITTO } from './helpers/mosquitto.ts'

const ROOT = resolve(import.meta.dirname, '..')
let url = ''
let stop: () => void = () => {}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-deploy-mosq-'))
  chmodSync(dir, 0o777) // Mosquitto started as root drops to its own user and writes here
  const port = await freePort()
  const conf = readFileSync(join(ROOT, 'deploy/mosquitto/mosquitto.conf'), 'utf8')
    .replace(/^listener 1883$/m, `listener ${port} 127.0.0.1`)
    .replaceAll('/mosquitto/data/', `${dir}/`)
    .replace('/mosquitto/config/acl', join(dir, 'acl'))
    .replace(/^log_dest stdout$/m, 'log_dest stderr')
  writeFileSync(join(dir, 'mosquitto.conf'), conf)
  // A copy beside it: the checkout may sit in a folder Mosquitto's own user cannot enter.
  copyFileSync(join(ROOT, 'deploy/mosquitto/acl'), join(dir, 'acl'))
  chmodSync(join(dir, 'acl'), 0o644)
  // What the compose service's command does at each start.
  execFileSync('mosquitto_passwd', ['-b', '-c', join(dir, 'passwd'), 'millwatch', 'mw-secret'])
  execFileSync('mosquitto_passwd', ['-b', join(dir, 'passwd'), 'gateway', 'gw-secret'])
  chmodSync(join(dir, 'passwd'), 0o644)
  const proc = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] })
  let out = ''
  proc.stderr!.on('data', (d) => (out += d))
  stop = () => proc.kill()
  url = `mqtt://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    const c = await mqtt.connectAsync(url, { username: 'gateway', password: 'gw-secret', reconnectPeriod: 0 }).catch(() => undefined)
    if (c) return void (await c.endAsync())
    if (proc.exitCode !== null || i > 200) throw new Error(`Mosquitto did not start with the shipped configuration:\n${out}`)
    await new Promise((r) => setTimeout(r, 100))
  }
})
afterAll(() => stop())

const connect = (username?: string, password?: string) => mqtt.connectAsync(url, { username, password, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000 })

describe('the shipped Mosquitto configuration', () => {
  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(connect()).rejects.toThrow(/Not authorized|Bad User Name or Password/i)
    await expect(connect('gateway', 'wrong')).rejects.toThrow(/Not authorized|Bad User Name or Password/i)
  })

  it('lets millwatch share the telemetry and read coil events, and keeps gateways from forging alarms', async () => {
    const mw = await connect('millwatch', 'mw-secret')
    const got: string[] = []
    mw.on('message', (topic) => got.push(topic))
    const granted = await mw.subscribeAsync(['$share/ingest/plant/+/+/telemetry', 'plant/+/coil', 'plant/+/+/alarm'], { qos: 1 })
    expect(granted.map((g) => g.qos)).toEqual([1, 1, 1])
    const gw = await connect('gateway', 'gw-secret')
    await gw.publishAsync('plant/tcm1/stand1/telemetry', JSON.stringify({ values: { speed_mps: 5 } }), { qos: 1 })
    await gw.publishAsync('plant/tcm1/coil', JSON.stringify({ event: 'start', coilId: 'C1' }), { qos: 1 })
    await gw.publishAsync('plant/tcm1/stand1/alarm', JSON.stringify({ forged: true }), { qos: 1 }).catch(() => undefined)
    // millwatch itself may publish alarm changes.
    await mw.publishAsync('plant/tcm1/stand2/alarm', JSON.stringify({ state: 'unacknowledged' }), { qos: 1 })
    await expect.poll(() => got.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3)
    expect(got.sort()).toEqual(['plant/tcm1/coil', 'plant/tcm1/stand1/telemetry', 'plant/tcm1/stand2/alarm'])
    await gw.endAsync()
    await mw.endAsync()
  })
})
