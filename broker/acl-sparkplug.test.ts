// Sparkplug B topic ACLs: the pure rules as a table, then through a real broker: an edge node
// with credentials publishes under its own spBv1.0/{group}/+/{edge}/# and nowhere else, and
// the loopback demo's anonymous gateway still may.
import { Credentials } from '../core/credentials.ts'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { publishRefusal, subscribeAllowed, type Identity } from './acl.ts'
import { connected, refusedCount, start, tryPublish, trySubscribe, type TestBroker } from './test-helpers.ts'

const gw1: Identity = { kind: 'device', username: 'gw1', lines: [], equipment: [], sparkplug: [{ group: 'tcm1', edge: 'gw1' }] }
const plain: Identity = { kind: 'device', username: 'gw-stand3', lines: ['tcm1'], equipment: ['stand3'] }
const anon: Identity = { kind: 'anonymous' }

describe('Sparkplug publish rules', () => {
  it.each([
    [gw1, 'spBv1.0/tcm1/NBIRTH/gw1', undefined],
    [gw1, 'spBv1.0/tcm1/NDEATH/gw1', undefined],
    [gw1, 'spBv1.0/tcm1/DDATA/gw1/stand3', undefined],
    [gw1, 'spBv1.0/tcm1/DDATA/gw2/stand3', 'topic_not_allowed'],
    [gw1, 'spBv1.0/tcm2/NDATA/gw1', 'topic_not_allowed'],
    [gw1, 'spBv1.0/tcm1/NCMD/gw1', 'topic_not_allowed'],
    [gw1, 'spBv1.0/tcm1/DCMD/gw1/stand3', 'topic_not_allowed'],
    [gw1, 'spBv1.0/STATE/host1', 'topic_not_allowed'],
    [gw1, 'spBv1.0/tcm1/DDATA/gw1', 'topic_not_allowed'],
    [gw1, 'plant/tcm1/stand3/telemetry', 'topic_not_allowed'],
    [plain, 'spBv1.0/tcm1/NDATA/gw1', 'topic_not_allowed'],
    [anon, 'spBv1.0/tcm1/DDATA/gw1/stand3', undefined],
    [anon, 'spBv1.0/tcm1/NCMD/gw1', 'topic_not_allowed'],
    [anon, 'spBv1.0/STATE/host1', 'topic_not_allowed'],
  ] as const)('%o on %s → %s', (who, topic, expected) => {
    expect(publishRefusal(who, topic)).toBe(expected)
  })
})

describe('Sparkplug subscribe rules', () => {
  it.each([
    [gw1, 'spBv1.0/tcm1/NCMD/gw1', true],
    [gw1, 'spBv1.0/tcm1/DCMD/gw1/+', true],
    [gw1, 'spBv1.0/tcm1/DCMD/gw1/#', true],
    [gw1, 'spBv1.0/STATE/+', true],
    [gw1, 'spBv1.0/tcm1/NCMD/gw2', false],
    [gw1, 'spBv1.0/tcm1/NCMD/+', false],
    [gw1, 'spBv1.0/tcm1/DDATA/gw1/#', false],
    [gw1, 'spBv1.0/#', false],
    [anon, 'spBv1.0/tcm1/#', true],
    [anon, 'spBv1.0/#', true],
    [anon, 'spBv1.0', false],
  ] as const)('%o to %s → %s', (who, filter, expected) => {
    expect(subscribeAllowed(who, filter)).toBe(expected)
  })
})

describe('through the broker', () => {
  let secured: TestBroker
  let demo: TestBroker
  const password = 'a-long-gateway-password'
  beforeAll(async () => {
    const credentials = new Credentials(mkdtempSync(join(tmpdir(), 'mw-sp-acl-')))
    await credentials.setDevice('gw1', password, [], [], [{ group: 'tcm1', edge: 'gw1' }])
    secured = await start({ allowAnonymous: false }, { credentials })
    demo = await start()
  })
  afterAll(async () => {
    await secured?.close()
    await demo?.close()
  })

  it('an edge node publishes its own births and data, and is cut off outside its edge', async () => {
    const c = await connected(secured.url, { username: 'gw1', password })
    expect(await tryPublish(c, 'spBv1.0/tcm1/NBIRTH/gw1')).toBe('ok')
    expect(await tryPublish(c, 'spBv1.0/tcm1/DDATA/gw1/stand3')).toBe('ok')
    expect(await trySubscribe(c, 'spBv1.0/tcm1/NCMD/gw1')).toBe(0)
    expect(await trySubscribe(c, 'spBv1.0/tcm1/NCMD/gw2')).toBe(128)
    expect(await tryPublish(c, 'spBv1.0/tcm1/DDATA/gw2/stand3')).toBe('closed')
    expect(secured.ingested).toEqual(['spBv1.0/tcm1/NBIRTH/gw1', 'spBv1.0/tcm1/DDATA/gw1/stand3'])
    expect(await refusedCount(secured, 'topic_not_allowed')).toBe(1)
    await c.endAsync(true)
  })

  it('the loopback demo takes Sparkplug from an anonymous gateway', async () => {
    const c = await connected(demo.url)
    expect(await tryPublish(c, 'spBv1.0/tcm1/DDATA/gw9/stand1')).toBe('ok')
    expect(demo.ingested).toEqual(['spBv1.0/tcm1/DDATA/gw9/stand1'])
    await c.endAsync(true)
  })
})
