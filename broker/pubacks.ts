// PUBACKs that wait for ingest's commit, written in the order the PUBLISHes came in (MQTT
// 3.1.1 §4.6) and coalesced: a commit settles a whole batch of publishes at once, and their
// acknowledgements go out as one write per client instead of one write (and one syscall)
// each. A publish's place is taken when it arrives; its commit only marks it ready, and the
// ready run at the head of the line is written on the next microtask.
const PUBACK = 0x40

interface Line {
  ids: number[]
  ready: boolean[]
  /** index of the first not yet written */
  head: number
  /** entries dropped from the front of the arrays so far (sequence number of ids[0]) */
  base: number
}

export class PubackQueue<C extends object> {
  private readonly lines = new Map<C, Line>()
  private readonly dirty = new Set<C>()
  private flushQueued = false
  private readonly flushNow = () => this.flush()

  constructor(private readonly write: (client: C, bytes: Buffer) => void) {}

  /** Takes the publish's place in its client's line; call `ready()` on the result once it is committed. */
  enqueue(client: C, messageId: number): () => void {
    const seq = this.take(client, messageId)
    return () => this.ready(client, seq)
  }

  /** Takes the publish's place in its client's line; returns its number for `ready()`. */
  take(client: C, messageId: number): number {
    let line = this.lines.get(client)
    if (!line) this.lines.set(client, (line = { ids: [], ready: [], head: 0, base: 0 }))
    line.ready.push(false)
    return line.base + line.ids.push(messageId) - 1
  }

  /** The publish numbered `seq` (from `take`) is committed: its PUBACK goes out once those before it have. */
  ready(client: C, seq: number): void {
    const l = this.lines.get(client)
    if (!l) return // the client is gone
    l.ready[seq - l.base] = true
    this.dirty.add(client)
    if (!this.flushQueued) {
      this.flushQueued = true
      queueMicrotask(this.flushNow)
    }
  }

  /** The client disconnected: its pending acknowledgements are dropped (it resends). */
  forget(client: C): void {
    this.lines.delete(client)
    this.dirty.delete(client)
  }

  /** Acknowledgements waiting (for tests and metrics). */
  waiting(client: C): number {
    const l = this.lines.get(client)
    return l ? l.ids.length - l.head : 0
  }

  private flush(): void {
    this.flushQueued = false
    for (const client of this.dirty) {
      const l = this.lines.get(client)
      if (!l) continue
      let n = 0
      while (l.head + n < l.ids.length && l.ready[l.head + n]) n++
      if (n === 0) continue
      const out = Buffer.allocUnsafe(4 * n)
      for (let i = 0; i < n; i++) {
        out[4 * i] = PUBACK
        out[4 * i + 1] = 2
        out.writeUInt16BE(l.ids[l.head + i], 4 * i + 2)
      }
      l.head += n
      if (l.head === l.ids.length) {
        this.lines.delete(client) // idle client: nothing kept
      } else if (l.head > 1024) {
        l.ids.splice(0, l.head)
        l.ready.splice(0, l.head)
        l.base += l.head
        l.head = 0
      }
      this.write(client, out)
    }
    this.dirty.clear()
  }
}
