import { once } from 'node:events'
import net, { type AddressInfo } from 'node:net'
import { Aedes } from 'aedes'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTopic } from '../core/topics.ts'
import { startSimulator } from './publisher.ts'

let broker: Aedes
let server: net.Server
let url: string

beforeAll(async () => {
  broker = await Aedes.createBroker()
  server = net.createServer({ noDelay: true }, broker.handle)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((r) => broker.close(() => r()))
  await new Promise<void>((r) => server.close(() => r()))
})

async function until(done: () => boolean, ms = 3000) {
  const deadline = Date.now() + ms
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
}

async function subscriber() {
  const client = await mqtt.connectAsync(url, { clientId: `sub-${Math.random()}` })
  const received: { topic: string; body: unknown }[] = []
  client.on('message', (topic, payload) => received.push({ topic, body: JSON.parse(payload.toString()) }))
  await client.subscribeAsync('plant/#', { qos: 1 })
  return { client, received }
}

describe('startSimulator against a real broker', () => {
  it('publishes telemetry and coil events on the right topics, then closes cleanly', async () => {
    const sub = await subscriber()
    const start = Date.now()
    const sim = await startSimulator({ url, seed: 5, speed: 20, qos: 1, clients: 2, clientId: 'sim-test' })
    expect(broker.connectedClients).toBe(3)
    await new Promise((r) => setTimeout(r, 2000)) // 40 s simulated: the first coil threads
    await sim.close()
    await sim.close() // safe twice
    const stats = sim.stats()
    expect(stats.inflight).toBe(0)
    expect(stats.dropped).toBe(0)
    expect(stats.simTimeMs - start).toBeGreaterThan(30_000)
    await until(() => sub.received.length >= stats.messages)
    await sub.client.endAsync()

    const equipment = new Set<string>()
    for (const { topic, body } of sub.received) {
      const t = parseTopic(topic)
      if (t.kind === 'telemetry') {
        equipment.add(t.equipment)
        const p = body as { ts: number; values: Record<string, number> }
        expect(p.ts).toBeGreaterThanOrEqual(start - 100)
        expect(Object.values(p.values).every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true)
      } else expect(t).toEqual({ kind: 'coil', line: 'tcm1' })
    }
    expect([...equipment].sort()).toEqual(['exit', 'stand1', 'stand2', 'stand3', 'stand4', 'stand5', 'uncoiler'])
    const telemetry = sub.received.filter((m) => m.topic.endsWith('/telemetry'))
    // QoS 1 end to end: every message the simulator counted arrived.
    expect(sub.received.length).toBe(stats.messages)
    expect(telemetry.length).toBeGreaterThan(7 * 300)
    const coil = sub.received.filter((m) => m.topic === 'plant/tcm1/coil').map((m) => m.body as Record<string, unknown>)
    expect(coil[0]).toMatchObject({ event: 'start', coilId: expect.stringMatching(/^C\d{11}$/), grade: expect.any(String) })
  })

  it('backfills a past window as fast as the broker takes it, then reports done', async () => {
    const sub = await subscriber()
    const from = Date.now() - 10 * 60_000
    const sim = await startSimulator({ url, seed: 5, fromMs: from, toMs: from + 5 * 60_000, qos: 0 })
    await sim.done
    expect(sim.stats()).toMatchObject({ mode: 'done', progress: 1 })
    await sim.close()
    await until(() => sub.received.length >= sim.stats().messages)
    await sub.client.endAsync()
    expect(sub.received.length).toBe(sim.stats().messages)
    expect(sim.stats().messages).toBeGreaterThan(3000 * 7)
    const ts = sub.received.map((m) => (m.body as { ts: number }).ts)
    expect(Math.min(...ts)).toBeGreaterThanOrEqual(from - 100)
    expect(Math.max(...ts)).toBeLessThanOrEqual(from + 5 * 60_000)
  })

  it('drops and counts ticks instead of queueing without bound when the broker stops reading', async () => {
    // A "broker" that accepts the connection and then never reads another byte.
    const sockets: net.Socket[] = []
    const stuck = net.createServer((socket) => {
      sockets.push(socket)
      socket.once('data', () => {
        socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00])) // CONNACK, accepted
        socket.pause()
      })
    })
    stuck.listen(0, '127.0.0.1')
    await once(stuck, 'listening')
    const sim = await startSimulator({ url: `mqtt://127.0.0.1:${(stuck.address() as AddressInfo).port}`, speed: 2000, extraSensors: 50, maxBufferedBytes: 256 * 1024, closeTimeoutMs: 200 })
    // Filling the socket's buffers takes longer when the machine is busy: wait for the first drop.
    await until(() => sim.stats().dropped > 0 && sim.stats().ticks > 1000, 15_000)
    const stats = sim.stats()
    await sim.close()
    for (const socket of sockets) socket.destroy()
    stuck.close()
    expect(stats.dropped).toBeGreaterThan(0)
    expect(stats.ticks).toBeGreaterThan(1000) // the model kept its pace…
    expect(stats.bytes).toBeLessThan(64 * 1024 * 1024) // …while what was handed to the socket stayed bounded
  })

  it('reconnects after the broker drops the connection', async () => {
    const sub = await subscriber()
    const sim = await startSimulator({ url, speed: 10, clientId: 'sim-reconnect' })
    await new Promise((r) => setTimeout(r, 300))
    const before = sim.stats().messages
    await new Promise<void>((r) => (broker as unknown as { clients: Record<string, { close(cb: () => void): void }> }).clients['sim-reconnect'].close(r))
    await new Promise((r) => setTimeout(r, 1800)) // reconnect period 1 s
    const after = sim.stats()
    await sim.close()
    await sub.client.endAsync()
    expect(after.connected).toBe(1)
    expect(after.messages).toBeGreaterThan(before + 7 * 50)
    expect(after.dropped).toBeGreaterThan(0) // ticks while offline are dropped, not queued
    const last = sub.received.at(-1)!.body as { ts: number }
    expect(last.ts).toBeGreaterThan(Date.now() - 1000)
  })

  it('reports a broker it cannot reach at once', async () => {
    const closed = net.createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    await expect(startSimulator({ url: `mqtt://127.0.0.1:${port}` })).rejects.toThrow(/cannot connect to mqtt:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/)
  })

  it('refuses bad options before connecting', async () => {
    await expect(startSimulator({ url, faults: ['bearing-wear:stand9'] })).rejects.toThrow(/no equipment "stand9"/)
  })
})
