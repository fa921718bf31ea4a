// Sparkplug B end to end: the real entry point with its embedded broker, the simulator's CLI
// in Sparkplug mode as the gateway (group "ColdMill", mapped onto line tcm1 by
// sparkplug.yaml), an MQTT observer decoding what the gateway sent, and the HTTP API.
// The stale rules here wait 10 minutes, so a "no data" alarm within the test can only come
// from a death certificate: a DDEATH when a dropout fault silences stand 2 (that device
// alone), then the NDEATH will when the gateway process is killed (every device). The
// observer may miss messages (the embedded broker drops QoS 0 to a subscriber that falls
// behind), so it is used for values only, never to prove a message was sent.
import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Credentials } from '../core/credentials.ts'
import { DataType, decodePayload, encodePayload } from '../core/sparkplug-b.ts'
import { getJson, spawnMillwatch, tempDir, type RunningMillwatch } from './helpers/millwatch.ts'

const ROOT = resolve(import.meta.dirname, '..')
let m: RunningMillwatch | undefined
let gateway: ChildProcess | undefined
let worker = ''
let engineer = ''
beforeAll(async () => {
  const data = tempDir()
  const creds = new Credentials(data)
  worker = creds.createToken('e2e', ['worker'], 'test').token
  engineer = creds.createToken('e2e-engineer', ['engineer'], 'test').token
  m = await spawnMillwatch({ DATA_DIR: data, CONFIG_DIR: configDir() })
})
afterAll(async () => {
  gateway?.kill('SIGKILL')
  await m?.stop('SIGKILL')
})

const running = async () => m ?? Promise.reject(new Error('millwatch did not start'))

function configDir(): string {
  const dir = tempDir('mw-sp-config-')
  for (const f of readdirSync(join(ROOT, 'config'))) copyFileSync(join(ROOT, 'config', f), join(dir, f))
  const rules = readFileSync(join(dir, 'rules.yaml'), 'utf8').replaceAll('stale: { for: 15s }', 'stale: { for: 10m }')
  writeFileSync(join(dir, 'rules.yaml'), rules)
  writeFileSync(join(dir, 'sparkplug.yaml'), 'groups:\n  ColdMill:\n    nodes:\n      tcm1-gw: { line: tcm1 }\n')
  return dir
}

describe('Sparkplug B end to end', () => {
  it('stores the gateway’s readings under the mapped line, and a death certificate raises the stale alarm at once', { timeout: 120_000 }, async () => {
    const m = await running()
    const alerts = async () => {
      const res = await fetch(`${m.http}/api/alerts?active=true`, { headers: { authorization: `Bearer ${worker}` } })
      return ((await res.json()).alerts as { equipment: string; rule: string }[]).filter((a) => a.rule === 'equipment_silent').map((a) => a.equipment)
    }

    // What the gateway sends, decoded here: stand 3's aliases from its DBIRTH, values from DDATA.
    const observer = await mqtt.connectAsync(m.mqtt)
    const names = new Map<number, string>()
    const seen: { ts: number; value: number }[] = []
    observer.on('message', (topic, payload) => {
      const type = topic.split('/')[2]
      if (!topic.endsWith('/stand3')) return
      const p = decodePayload(payload)
      for (const x of p.metrics) {
        if (type === 'DBIRTH') names.set(Number(x.alias), x.name!)
        if (type === 'DDATA' && names.get(Number(x.alias)) === 'vibration_mm_s') seen.push({ ts: Number(p.timestamp), value: x.double_value! })
      }
    })
    await observer.subscribeAsync('spBv1.0/ColdMill/#', { qos: 1 })

    const t0 = Date.now()
    let output = ''
    gateway = spawn(process.execPath, ['--import', 'tsx', 'simulators/cli.ts', '--url', m.mqtt, '--protocol', 'sparkplug', '--sparkplug-group', 'ColdMill', '--qos', '1', '--fault', 'dropout:stand2@6s+30m', '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    gateway.stdout!.on('data', (d) => (output += d))
    gateway.stderr!.on('data', (d) => (output += d))

    // DDATA carries aliases only; what was stored under tcm1/stand3 is what the gateway sent.
    await expect.poll(() => seen.length, { timeout: 30_000 }).toBeGreaterThan(20)
    const sample = seen[10]
    await expect
      .poll(async () => {
        const r = await getJson(`${m.http}/api/series?line=tcm1&equipment=stand3&sensor=vibration_mm_s&from=${t0 - 60_000}&to=${Date.now() + 60_000}&limit=100000`)
        return (r.points as { ts: number; value: number }[]).find((p) => p.ts === sample.ts)?.value
      }, { timeout: 20_000 })
      .toBe(sample.value)
    expect(await alerts()).toEqual([])

    // The dropout silences stand 2; the gateway declares it dead (DDEATH) and its alarm rises.
    await expect.poll(alerts, { timeout: 40_000 }).toContain('stand2')
    expect(await alerts()).toEqual(['stand2']) // a DDEATH: that device only

    // The gateway dies without a word: the broker publishes its NDEATH will, every device goes stale.
    gateway.kill('SIGKILL')
    await expect.poll(alerts, { timeout: 40_000 }).toEqual(expect.arrayContaining(['uncoiler', 'stand1', 'stand2', 'stand3', 'stand4', 'stand5', 'exit']))
    expect(output).not.toMatch(/error/i)
    await observer.endAsync()
  })

  it('data from a node it has no birth for is a dead letter, and millwatch asks that node for a rebirth', async () => {
    const m = await running()
    const gw = await mqtt.connectAsync(m.mqtt, { clientId: 'gw-late' })
    const commands: { topic: string; rebirth: boolean }[] = []
    gw.on('message', (topic, payload) => commands.push({ topic, rebirth: decodePayload(payload).metrics.some((x) => x.name === 'Node Control/Rebirth' && x.boolean_value === true) }))
    await gw.subscribeAsync('spBv1.0/tcm1/NCMD/gw-late', { qos: 1 })
    // As after a host restart on a broker that stayed up: the node keeps sending DDATA by alias.
    const ddata = encodePayload({ timestamp: Date.now(), seq: 17, metrics: [{ alias: 3, datatype: DataType.Double, double_value: 4.2 }] })
    await gw.publishAsync('spBv1.0/tcm1/DDATA/gw-late/stand4', Buffer.from(ddata), { qos: 1 })
    await expect.poll(() => commands, { timeout: 20_000 }).toEqual([{ topic: 'spBv1.0/tcm1/NCMD/gw-late', rebirth: true }])
    const dead = await (await fetch(`${m.http}/api/ingest/dead-letters`, { headers: { authorization: `Bearer ${engineer}` } })).json()
    const letter = dead.deadLetters.find((d: { topic: string }) => d.topic === 'spBv1.0/tcm1/DDATA/gw-late/stand4')
    expect(letter.rejects[0].reason).toBe('no_birth')
    expect(Buffer.from(letter.payload, letter.payloadEncoding)).toEqual(Buffer.from(ddata)) // binary kept as base64
    await gw.endAsync()
  })
})
