// Device logins on a real broker with a real credentials store (scrypt): the CONNACK codes a
// device sees, the short cache that spares scrypt in a reconnect storm without ever letting
// a wrong password in, the throttle on failed logins, and millwatch's internal login.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Credentials } from '../core/credentials.ts'
import { connackCode, credentialsWith, refusedCount, start, type TestBroker } from './test-helpers.ts'

const PASSWORD = 'stand3-gateway-secret'
let b: TestBroker | undefined
let shared: Credentials
// scrypt is slow by design: one store for the tests that do not change it, a fresh broker
// (and so a fresh login cache and throttle) for each test.
beforeAll(async () => void (shared = await store()))
afterEach(async () => {
  await b?.close()
  b = undefined
  vi.restoreAllMocks()
})

const store = () => credentialsWith({ 'gw-stand3': { password: PASSWORD, lines: ['tcm1'], equipment: ['stand3'] } })

async function brokerWithDevice(credentials = shared): Promise<{ b: TestBroker; credentials: Credentials; checks: () => number }> {
  const spy = vi.spyOn(credentials, 'checkDevice')
  b = await start({ allowAnonymous: false }, { credentials })
  return { b, credentials, checks: () => spy.mock.calls.length }
}

describe('device login', () => {
  it('answers a wrong password or an unknown device with CONNACK 4, a right one with 0', async () => {
    const { b } = await brokerWithDevice()
    expect(await connackCode(b.url, { username: 'gw-stand3', password: 'not-the-password' })).toBe(4)
    expect(await connackCode(b.url, { username: 'nobody', password: PASSWORD })).toBe(4)
    expect(await connackCode(b.url, { username: 'gw-stand3' })).toBe(4)
    expect(await connackCode(b.url, { username: 'gw-stand3', password: PASSWORD })).toBe(0)
    expect(await refusedCount(b, 'bad_credentials')).toBe(3)
  })

  it('never lets a wrong password in after a right one was remembered', async () => {
    const { b } = await brokerWithDevice()
    expect(await connackCode(b.url, { username: 'gw-stand3', password: PASSWORD })).toBe(0)
    expect(await connackCode(b.url, { username: 'gw-stand3', password: `${PASSWORD}x` })).toBe(4)
    expect(await connackCode(b.url, { username: 'gw-stand3', password: '' })).toBe(4)
    expect(await connackCode(b.url, { username: 'gw-stand3', password: PASSWORD })).toBe(0)
  })

  it('hashes once for a reconnect storm of the same gateway', async () => {
    const { b, checks } = await brokerWithDevice()
    const codes = await Promise.all(Array.from({ length: 20 }, () => connackCode(b.url, { username: 'gw-stand3', password: PASSWORD })))
    expect(codes).toEqual(Array(20).fill(0))
    expect(await connackCode(b.url, { username: 'gw-stand3', password: PASSWORD })).toBe(0)
    expect(checks()).toBe(1)
  })

  it('checks again once the credentials file changed (password changed or device removed)', async () => {
    const { b, credentials } = await brokerWithDevice(await store())
    expect(await connackCode(b.url, { username: 'gw-stand3', password: PASSWORD })).toBe(0)
    await credentials.setDevice('gw-stand3', 'a-brand-new-secret-16', ['tcm1'], ['stand3'])
    expect(await connackCode(b.url, { username: 'gw-stand3', password: PASSWORD })).toBe(4)
    credentials.removeDevice('gw-stand3')
    expect(await connackCode(b.url, { username: 'gw-stand3', password: 'a-brand-new-secret-16' })).toBe(4)
  })

  it('throttles guesses, sent in a row or all at once, without hashing; not the gateway whose login is remembered', async () => {
    const { b, checks } = await brokerWithDevice()
    expect(await connackCode(b.url, { username: 'gw-stand3', password: PASSWORD })).toBe(0)
    const guesses = await Promise.all(Array.from({ length: 8 }, (_, i) => connackCode(b.url, { username: 'gw-stand3', password: `guess-${i}` })))
    expect(guesses.sort()).toEqual([4, 4, 4, 4, 4, 5, 5, 5])
    expect(checks()).toBe(1 + 5)
    expect(await connackCode(b.url, { username: 'gw-stand3', password: 'guess-8' })).toBe(5)
    expect(checks()).toBe(1 + 5)
    expect(await refusedCount(b, 'login_throttled')).toBe(4)
    expect(await connackCode(b.url, { username: 'gw-stand3', password: PASSWORD })).toBe(0)
  })
})

describe('internal login', () => {
  it('lets millwatch in with the per-process credential, refuses a wrong one, and is never throttled', async () => {
    const { b } = await brokerWithDevice()
    expect(b.internal.password.length).toBeGreaterThanOrEqual(40)
    for (let i = 0; i < 8; i++) expect(await connackCode(b.url, { username: b.internal.username, password: `wrong-${i}` })).toBe(4)
    expect(await connackCode(b.url, b.internal)).toBe(0)
    const other = await start()
    try {
      expect(other.internal.password).not.toBe(b.internal.password)
      expect(await connackCode(other.url, b.internal)).toBe(4)
    } finally {
      await other.close()
    }
  })
})
