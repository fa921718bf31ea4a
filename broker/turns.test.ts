// Fair turns (turns.ts) on their own, with a turn of 0 ms: nothing runs inline and each turn
// serves exactly one round, so the order of service is deterministic.
import { describe, expect, it } from 'vitest'
import { FairTurns } from './turns.ts'

type Client = { id: string }
const nextTurn = () => new Promise<void>((r) => setImmediate(r))

function recorder(sliceMs = 0) {
  const ran: string[] = []
  const done: string[] = []
  const turns = new FairTurns<Client, string>(sliceMs, (client, packet, cb) => {
    ran.push(`${client.id}:${packet}`)
    cb(null)
  })
  const submit = (c: Client, packet: string) => turns.submit(c, packet, () => done.push(`${c.id}:${packet}`))
  return { turns, ran, done, submit }
}

async function settle(turns: FairTurns<Client, string>): Promise<void> {
  for (let i = 0; i < 100_000 && turns.queued > 0; i++) await nextTurn()
}

describe('fair turns', () => {
  it('serves a device with one publish in the next turn, ahead of a neighbour with a backlog', async () => {
    const { turns, ran, submit } = recorder()
    const gateway = { id: 'gateway' }
    const probe = { id: 'probe' }
    for (let i = 0; i < 1000; i++) submit(gateway, String(i))
    submit(probe, 'limit-crossing')
    await nextTurn()
    // One round: the gateway's first publish, then the probe's.
    expect(ran.indexOf('probe:limit-crossing')).toBeLessThanOrEqual(2)
    expect(ran.length).toBeLessThan(10)
    await settle(turns)
    expect(ran).toHaveLength(1001)
  })

  it('runs every publish once, each client in the order it sent, with the done callbacks', async () => {
    const { turns, ran, done, submit } = recorder()
    const clients = ['a', 'b', 'c'].map((id) => ({ id }))
    const sent: string[] = []
    for (let i = 0; i < 300; i++) {
      const c = clients[(i * 7) % 3]
      submit(c, String(i))
      sent.push(`${c.id}:${i}`)
      if (i % 50 === 0) await nextTurn() // some arrive while others wait
    }
    await settle(turns)
    expect([...ran].sort()).toEqual([...sent].sort())
    expect(done).toEqual(ran)
    for (const c of clients) {
      const mine = (xs: string[]) => xs.filter((x) => x.startsWith(`${c.id}:`))
      expect(mine(ran)).toEqual(mine(sent))
    }
  })

  it('keeps the order when a publish brings its client\'s next read while it is being served', async () => {
    const ran: string[] = []
    const gw = { id: 'gw' }
    let more = 5
    const turns: FairTurns<Client, number> = new FairTurns<Client, number>(0, (_c, n, cb) => {
      ran.push(String(n))
      cb(null)
      // aedes reads the next buffer once the last one's publishes are done
      if (n % 10 === 9 && more-- > 0) for (let k = 1; k <= 10; k++) turns.submit(gw, n + k, () => {})
    })
    for (let n = 0; n < 10; n++) turns.submit(gw, n, () => {})
    for (let i = 0; i < 1000 && turns.queued > 0; i++) await nextTurn()
    expect(ran).toEqual(Array.from({ length: 60 }, (_, i) => String(i)))
  })

  it('gives the event loop a turn between slices of a backlog', async () => {
    const { turns, ran, submit } = recorder(0)
    const gw = { id: 'gw' }
    for (let i = 0; i < 10_000; i++) submit(gw, String(i))
    let ranBeforeTimer = -1
    setTimeout(() => (ranBeforeTimer = ran.length), 0)
    await settle(turns)
    await new Promise((r) => setTimeout(r, 5))
    expect(ranBeforeTimer).toBeGreaterThanOrEqual(0)
    expect(ranBeforeTimer).toBeLessThan(10_000)
  })

  it('runs publishes inline while the turn has time, without queueing them', () => {
    const { turns, ran, submit } = recorder(10_000)
    const gw = { id: 'gw' }
    for (let i = 0; i < 50; i++) submit(gw, String(i))
    expect(ran).toHaveLength(50)
    expect(turns.queued).toBe(0)
  })

  it('drops the waiting publishes of a client that went away, and serves the others', async () => {
    const { turns, ran, done, submit } = recorder()
    const gone = { id: 'gone' }
    const stays = { id: 'stays' }
    for (let i = 0; i < 20; i++) submit(gone, String(i))
    for (let i = 0; i < 20; i++) submit(stays, String(i))
    await nextTurn()
    turns.forget(gone)
    await settle(turns)
    expect(turns.queued).toBe(0)
    expect(ran.filter((x) => x.startsWith('stays:'))).toHaveLength(20)
    const goneRan = ran.filter((x) => x.startsWith('gone:')).length
    expect(goneRan).toBeLessThan(20)
    // what was not run is not acknowledged: the device resends it
    expect(done.filter((x) => x.startsWith('gone:'))).toHaveLength(goneRan)
  })
})
