// Publishes in short turns, fairly across clients. The main thread reads every socket,
// ingests, hands readings to the rules thread, applies its reports, sends the notifications
// and answers the web. Under full load the gateways' publishes come in bursts (a group
// commit's PUBACKs, answered at once by every gateway), and a burst ingested in one turn of
// the event loop held that turn for hundreds of milliseconds: a limit crossing from another
// device, the rules thread's report and the notification's HTTP write all waited behind it.
//
// Here a turn spends at most `sliceMs` on publishes. Past that, publishes wait in one queue
// per client, and later turns serve the clients round-robin, one publish each in turn, for
// `sliceMs` at a time, with the event loop's I/O in between. A device with one reading is
// served in the next turn, however many its neighbours queued. A waiting client's socket is
// not read on (aedes reads again only once every publish of its last read is through), so
// the backlog stays in the devices' TCP buffers, and the queues hold at most one read each.
/** A turn of the event loop spends at most this long on publishes (the broker's setting). */
export const TURN_MS = 2

export class FairTurns<C extends object, P> {
  private readonly queues = new Map<C, Queue<P>>()
  /** Clients with publishes waiting, in the order they are served. */
  private ring: C[] = []
  private waiting = 0
  /** When this turn's first publish started, or -1 between turns. */
  private sliceStart = -1
  private draining = false
  private readonly endTurn = () => {
    this.sliceStart = -1
  }
  private readonly drainNow = () => this.drain()

  constructor(
    private readonly sliceMs: number,
    private readonly run: (client: C, packet: P, done: Done) => void,
  ) {}

  /** Publishes waiting for a turn (for tests and metrics). */
  get queued(): number {
    return this.waiting
  }

  submit(client: C, packet: P, done: Done): void {
    if (this.waiting === 0) {
      const now = performance.now()
      if (this.sliceStart < 0) {
        this.sliceStart = now
        setImmediate(this.endTurn)
      }
      if (now - this.sliceStart < this.sliceMs) return this.run(client, packet, done)
    }
    let q = this.queues.get(client)
    if (!q) {
      this.queues.set(client, (q = { items: [], head: 0 }))
      this.ring.push(client)
    }
    q.items.push(packet, done)
    this.waiting++
    if (!this.draining) {
      this.draining = true
      setImmediate(this.drainNow)
    }
  }

  /** The client is gone: its waiting publishes are dropped, unacknowledged (it resends them). */
  forget(client: C): void {
    const q = this.queues.get(client)
    if (!q) return
    this.waiting -= (q.items.length - q.head) / 2
    this.queues.delete(client)
    this.ring = this.ring.filter((c) => c !== client)
  }

  private drain(): void {
    const start = performance.now()
    // One publish per client per round, rounds until the turn's time is spent (at least one,
    // so every waiting client moves). A publish may bring its client's next read (aedes reads
    // on once the last read's publishes are through): it joins the queues as it comes.
    for (let served = 1; served > 0 && this.waiting > 0; ) {
      served = 0
      const ring = this.ring
      for (let i = 0; i < ring.length; i++) {
        const client = ring[i]
        const q = this.queues.get(client)
        if (!q || q.head >= q.items.length) continue
        const h = q.head
        q.head += 2
        this.waiting--
        served++
        this.run(client, q.items[h] as P, q.items[h + 1] as Done)
      }
      if (performance.now() - start >= this.sliceMs) break
    }
    // Served publishes leave their queues; emptied clients leave the ring.
    const ring: C[] = []
    for (const client of this.ring) {
      const q = this.queues.get(client)
      if (!q) continue
      if (q.head >= q.items.length) this.queues.delete(client)
      else {
        if (q.head > 0) (q.items = q.items.slice(q.head)), (q.head = 0)
        ring.push(client)
      }
    }
    this.ring = ring
    this.sliceStart = -1
    if (this.waiting > 0) setImmediate(this.drainNow)
    else this.draining = false
  }
}

interface Queue<P> {
  items: Array<P | Done>
  head: number
}
type Done = (err?: Error | null) => void
