// MQTTS and wss:// with a throwaway self-signed certificate made by openssl at test time:
// a device logs in over TLS, publishes, and a subscriber on the other listener receives it.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connackCode, connected, credentialsWith, start, type TestBroker } from './test-helpers.ts'

let b: TestBroker
let ca: Buffer
const device = { username: 'gw-exit', password: 'exit-gateway-secret' }

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-tls-'))
  const [key, cert] = [join(dir, 'k.pem'), join(dir, 'c.pem')]
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' })
  ca = readFileSync(cert)
  const credentials = await credentialsWith({ [device.username]: { password: device.password, lines: ['tcm1'], equipment: ['exit'] } })
  b = await start({ tls: { cert, key }, tlsPort: 0, wsTls: true, allowAnonymous: false }, { credentials })
})
afterAll(() => b?.close())

describe('TLS listeners', () => {
  it('reports the MQTTS port beside the others', () => {
    expect(b.tlsPort).toBeGreaterThan(0)
    expect(new Set([b.port, b.wsPort, b.tlsPort]).size).toBe(3)
  })

  it('carries a device login and a publish over mqtts:// to a subscriber on wss://', async () => {
    const sub = await connected(`wss://localhost:${b.wsPort}`, { ...b.internal, ca })
    await sub.subscribeAsync('plant/tcm1/#', { qos: 1 })
    const got = new Promise<[string, string]>((r) => sub.once('message', (t, p) => r([t, p.toString()])))
    const dev = await connected(`mqtts://localhost:${b.tlsPort}`, { ...device, ca })
    await dev.publishAsync('plant/tcm1/exit/telemetry', '{"values":{"thickness_um":812}}', { qos: 1 })
    expect(await got).toEqual(['plant/tcm1/exit/telemetry', '{"values":{"thickness_um":812}}'])
    expect(b.ingested).toContain('plant/tcm1/exit/telemetry')
    await Promise.all([dev.endAsync(), sub.endAsync()])
  })

  it('refuses a client that does not trust the certificate, and one with a wrong password', async () => {
    expect(await connackCode(`mqtts://localhost:${b.tlsPort}`, { ...device, rejectUnauthorized: true })).toBe(-1)
    expect(await connackCode(`mqtts://localhost:${b.tlsPort}`, { ...device, password: 'wrong', ca })).toBe(4)
  })
})
