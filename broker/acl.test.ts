// Topic ACLs: the pure rules as a table, then the same table through a real broker with a
// real device login, an anonymous loopback client and millwatch's internal client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publishRefusal, subscribeAllowed, type Identity } from './acl.ts'
import { connackCode, connected, credentialsWith, refusedCount, start, tryPublish, trySubscribe, type TestBroker } from './test-helpers.ts'

const stand3: Identity = { kind: 'device', username: 'gw-stand3', lines: ['tcm1'], equipment: ['stand3'] }
const tracker: Identity = { kind: 'device', username: 'trk1', lines: ['tcm1'], equipment: ['coil'] }
const any: Identity = { kind: 'device', username: 'gw-all', lines: ['*'], equipment: ['*'] }
const anon: Identity = { kind: 'anonymous' }
const internal: Identity = { kind: 'internal' }

describe('publish rules', () => {
  it.each([
    [stand3, 'plant/tcm1/stand3/telemetry', undefined],
    [stand3, 'plant/tcm1/stand4/telemetry', 'topic_not_allowed'],
    [stand3, 'plant/tcm2/stand3/telemetry', 'topic_not_allowed'],
    [stand3, 'plant/tcm1/coil', 'topic_not_allowed'],
    [stand3, 'plant/tcm1/stand3/alarm', 'alarm_topic'],
    [stand3, 'plant/tcm1/stand3/other', 'topic_not_allowed'],
    [stand3, 'elsewhere', 'topic_not_allowed'],
    [tracker, 'plant/tcm1/coil', undefined],
    [tracker, 'plant/tcm2/coil', 'topic_not_allowed'],
    [any, 'plant/tcm9/exit/telemetry', undefined],
    [any, 'plant/tcm9/coil', undefined],
    [any, 'plant/tcm9/exit/alarm', 'alarm_topic'],
    [any, '$SYS/x/new/clients', 'reserved_topic'],
    [anon, 'plant/tcm1/stand1/telemetry', undefined],
    [anon, 'plant/tcm1/coil', undefined],
    [anon, 'plant/tcm1/stand1/alarm', 'alarm_topic'],
    [anon, 'hello', 'topic_not_allowed'],
    [internal, 'plant/tcm1/stand1/alarm', undefined],
    [internal, '$SYS/x', 'reserved_topic'],
  ] as const)('%o on %s → %s', (who, topic, expected) => {
    expect(publishRefusal(who, topic)).toBe(expected)
  })
})

describe('subscribe rules', () => {
  it.each([
    [stand3, 'plant/tcm1/#', true],
    [stand3, 'plant/tcm1/+/alarm', true],
    [stand3, 'plant/tcm2/#', false],
    [stand3, 'plant/+/stand3/telemetry', false],
    [stand3, 'plant/#', false],
    [any, 'plant/#', true],
    [any, '#', false],
    [anon, 'plant/#', true],
    [anon, 'plant/+/+/alarm', true],
    [anon, '#', false],
    [anon, '+/#', false],
    [anon, '+/tcm1/stand1/telemetry', false],
    [anon, '$SYS/#', false],
    [anon, 'other/#', false],
    [internal, 'plant/#', true],
    [internal, '#', false],
    [internal, '$SYS/#', false],
  ] as const)('%o to %s → %s', (who, filter, expected) => {
    expect(subscribeAllowed(who, filter)).toBe(expected)
  })
})

describe('ACLs on a real broker', () => {
  let b: TestBroker
  const device = { username: 'gw-stand3', password: 'stand3-gateway-secret' }
  beforeAll(async () => {
    const credentials = await credentialsWith({ 'gw-stand3': { password: device.password, lines: ['tcm1'], equipment: ['stand3'] } })
    b = await start({}, { credentials })
  })
  afterAll(() => b.close())

  it.each([
    ['device', 'plant/tcm1/stand3/telemetry', 'ok'],
    ['device', 'plant/tcm1/stand2/telemetry', 'closed'],
    ['device', 'plant/tcm1/stand3/alarm', 'closed'],
    ['device', 'plant/tcm1/coil', 'closed'],
    ['device', '$SYS/broker/x', 'closed'],
    ['anonymous', 'plant/tcm1/exit/telemetry', 'ok'],
    ['anonymous', 'plant/tcm1/coil', 'ok'],
    ['anonymous', 'plant/tcm1/exit/alarm', 'closed'],
    ['internal', 'plant/tcm1/exit/alarm', 'ok'],
  ] as const)('%s publishing on %s: %s', async (who, topic, expected) => {
    const login = who === 'device' ? device : who === 'internal' ? b.internal : {}
    const c = await connected(b.url, login)
    const before = b.ingested.length
    expect(await tryPublish(c, topic)).toBe(expected)
    // a refused publish never reaches ingest
    expect(b.ingested.slice(before)).toEqual(expected === 'ok' ? [topic] : [])
    await c.endAsync(true)
  })

  it.each([
    ['device', 'plant/tcm1/#', 0],
    ['device', 'plant/tcm2/#', 128],
    ['device', '#', 128],
    ['anonymous', 'plant/#', 0],
    ['anonymous', '#', 128],
    ['anonymous', '$SYS/#', 128],
  ] as const)('%s subscribing to %s gets SUBACK %i and stays connected', async (who, filter, granted) => {
    const c = await connected(b.url, who === 'device' ? device : {})
    expect(await trySubscribe(c, filter)).toBe(granted)
    expect(await tryPublish(c, who === 'device' ? 'plant/tcm1/stand3/telemetry' : 'plant/tcm1/exit/telemetry')).toBe('ok')
    await c.endAsync(true)
  })

  it('counts refusals by reason', async () => {
    expect(await refusedCount(b, 'alarm_topic')).toBeGreaterThanOrEqual(2)
    expect(await refusedCount(b, 'subscribe_not_allowed')).toBeGreaterThanOrEqual(4)
  })
})

describe('anonymous clients when they are not allowed', () => {
  it('refuses them with CONNACK 5, and still lets devices and millwatch in', async () => {
    const credentials = await credentialsWith({ gw: { password: 'gateway-password-16', lines: ['*'], equipment: ['*'] } })
    const b = await start({ allowAnonymous: false }, { credentials })
    try {
      expect(await connackCode(b.url)).toBe(5)
      expect(await connackCode(b.url, { username: 'gw', password: 'gateway-password-16' })).toBe(0)
      expect(await connackCode(b.url, b.internal)).toBe(0)
      expect(await refusedCount(b, 'anonymous')).toBe(1)
    } finally {
      await b.close()
    }
  })
})
