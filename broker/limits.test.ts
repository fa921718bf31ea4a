// Per-client limits on a real broker: one broken gateway is cut off or slowed down while the
// others carry on. The packet-size fence reaches into aedes/mqtt-packet internals; the first
// test is the one that fails if an upgrade moves them.
import { afterEach, describe, expect, it } from 'vitest'
import {
  closed,
  connected,
  publishPacket,
  rawClient,
  refusedCount,
  sleep,
  start,
  tryPublish,
  trySubscribe,
  until,
  type TestBroker,
} from './test-helpers.ts'
import { TokenBucket } from './token-bucket.ts'

let b: TestBroker | undefined
afterEach(async () => {
  await b?.close()
  b = undefined
})

describe('packet size', () => {
  it('closes a client whose packet header announces too much, before the body arrives; others keep publishing', async () => {
    b = await start({ limits: { maxPacketBytes: 2048 } })
    const healthy = await connected(b.url)
    const broken = await rawClient(b.port, 'broken')
    // PUBLISH QoS 0 whose Remaining Length (0x80 0x80 0x80 0x60) announces 201 MB, then a few bytes of it
    broken.write(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x60, 0x00, 0x05, 0x70, 0x6c, 0x61, 0x6e, 0x74]))
    await closed(broken)
    expect(await refusedCount(b, 'packet_too_large')).toBe(1)
    expect(await tryPublish(healthy, 'plant/tcm1/exit/telemetry')).toBe('ok')
    await healthy.endAsync()
  })

  it('counts the whole packet: a payload that fits passes, one byte over closes the connection', async () => {
    b = await start({ limits: { maxPacketBytes: 2048 } })
    const topic = 'plant/tcm1/exit/telemetry'
    const fits = 2048 - (1 + 2 + 2 + topic.length + 2) // type, 2 length bytes, topic length, topic, packet id
    const c = await connected(b.url)
    expect(await tryPublish(c, topic, 'x'.repeat(fits))).toBe('ok')
    expect(await tryPublish(c, topic, 'x'.repeat(fits + 1))).toBe('closed')
    expect(b.ingested).toEqual([topic])
  })
})

describe('subscriptions per client', () => {
  it('refuses subscriptions beyond the limit with SUBACK 0x80; re-subscribing or unsubscribing frees nothing twice', async () => {
    b = await start({ limits: { maxSubscriptions: 2 } })
    const c = await connected(b.url)
    expect(await trySubscribe(c, 'plant/tcm1/#')).toBe(0)
    expect(await trySubscribe(c, 'plant/tcm2/#')).toBe(0)
    expect(await trySubscribe(c, 'plant/tcm1/#')).toBe(0) // already counted
    expect(await trySubscribe(c, 'plant/tcm3/#')).toBe(128)
    await c.unsubscribeAsync('plant/tcm2/#')
    expect(await trySubscribe(c, 'plant/tcm3/#')).toBe(0)
    expect(await trySubscribe(c, 'plant/tcm4/#')).toBe(128)
    expect(await refusedCount(b, 'subscription_limit')).toBe(2)
    // the internal client is exempt
    const mw = await connected(b.url, b.internal)
    for (const line of ['a', 'b', 'c']) expect(await trySubscribe(mw, `plant/${line}/#`)).toBe(0)
    await Promise.all([c.endAsync(), mw.endAsync()])
  })
})

describe('messages per second per client', () => {
  it('keeps order, bounds its queue and forgets it when the connection goes', async () => {
    const bucket = new TokenBucket(20, 1, 3) // a token every 50 ms
    const ran: number[] = []
    expect(bucket.take(() => ran.push(1))).toBe('now')
    expect([2, 3, 4].map((i) => bucket.take(() => ran.push(i)))).toEqual(['later', 'later', 'later'])
    expect(bucket.take(() => ran.push(5))).toBe('full')
    await until(() => ran.length >= 3)
    bucket.close()
    const k = ran.length
    await sleep(120)
    expect(ran).toEqual([1, 2, 3, 4].slice(0, k))
    expect(bucket.queued).toBe(0)
  })

  it('hands out a free token at once, but never ahead of publishes already waiting', async () => {
    const bucket = new TokenBucket(20, 2, 3)
    expect(bucket.tryTake()).toBe(true)
    expect(bucket.tryTake()).toBe(true)
    expect(bucket.tryTake()).toBe(false) // the burst is spent
    const ran: number[] = []
    expect(bucket.take(() => ran.push(1))).toBe('later')
    // A token is free again after 50 ms; holding the event loop keeps the bucket's timer from
    // running publish 1, which is first in line for it.
    const until60 = performance.now() + 60
    while (performance.now() < until60);
    expect(bucket.tryTake()).toBe(false)
    await until(() => ran.length === 1)
    bucket.close()
  })

  it('slows a flooding client to its rate without dropping, while another client gets through promptly', async () => {
    const rate = 400
    const seen = new Map<string, number[]>()
    b = await start({ limits: { maxMessagesPerSecond: rate } }, { beforeAck: (_t, _p, clientId) => void (seen.get(clientId) ?? seen.set(clientId, []).get(clientId)!).push(performance.now()) })
    const flooder = await rawClient(b.port, 'flooder')
    const calm = await connected(b.url, { clientId: 'calm' })
    const sent = 1400
    const packet = publishPacket('plant/tcm1/stand1/telemetry', '{"values":{"speed_mps":1}}')
    const t0 = performance.now()
    flooder.write(Buffer.concat(Array.from({ length: sent }, () => packet)))

    // the calm client's publishes pass at once (QoS 1: acknowledged after ingest)
    const lags: number[] = []
    for (let i = 0; i < 10; i++) {
      const start = performance.now()
      await calm.publishAsync('plant/tcm1/exit/telemetry', '{"values":{}}', { qos: 1 })
      lags.push(performance.now() - start)
      await sleep(100)
    }
    await sleep(t0 + 2200 - performance.now())
    const flood = seen.get('flooder')!
    // one second's burst, then the rate: measure the rate after the burst
    const after = flood.filter((t) => t - t0 > 1100 && t - t0 <= 2100).length
    expect(after).toBeGreaterThan(rate * 0.7)
    expect(after).toBeLessThan(rate * 1.3)
    expect(flood.length).toBeLessThan(rate * 3.5) // burst + 2.2 s at the rate: still working through the backlog
    // the flooder's last publishes wait ~2.5 s for tokens; the calm client's wait for nothing
    // (generous bounds: CI machines are busy)
    lags.sort((x, y) => x - y)
    expect(lags[5], `lags ${lags.map(Math.round)}`).toBeLessThan(100)
    expect(lags[9], `lags ${lags.map(Math.round)}`).toBeLessThan(500)
    // nothing is dropped: the rest arrives in order at the rate
    await until(() => seen.get('flooder')!.length === sent, 10_000)
    flooder.destroy()
    await calm.endAsync()
  })
})
