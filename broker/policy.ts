// What each connected client may do, and the fences around it. Each publish passes, in
// order: its turn (turns.ts: at most TURN_MS of publishes per turn of the event loop, clients
// served round-robin) → the topic ACL (acl.ts) → the client's rate limit (token-bucket.ts:
// delays, never drops) → ingest's beforeAck. A refused publish is never stored; a throttled
// one is stored and acknowledged when its turn comes.
import type { Aedes, Client, PublishPacket, Subscription } from 'aedes'
import type { Logger } from '../core/log.ts'
import { publishRefusal, subscribeAllowed, type Identity } from './acl.ts'
import { remoteAddress } from './auth.ts'
import { dropQos0WhenBehind, limitPacketSize } from './limits.ts'
import { PubackQueue } from './pubacks.ts'
import type { Handle } from './listeners.ts'
import type { Refusals } from './refusals.ts'
import { TokenBucket } from './token-bucket.ts'
import { FairTurns, TURN_MS } from './turns.ts'

/** Per client, so one broken gateway cannot starve the others (config/millwatch.yaml `mqtt`). */
export interface BrokerLimits {
  maxPacketBytes: number
  maxSubscriptions: number
  maxMessagesPerSecond: number
}

/** Called before a publish is acknowledged; a returned promise delays the PUBACK. */
export type BeforeAck = (topic: string, payload: Uint8Array, clientId: string) => Promise<void> | undefined

type Done = (err?: Error | null) => void

/** Publishes waiting for one commit, in arrival order. */
class Waiting {
  readonly clients: Client[] = []
  readonly seqs: number[] = []
  settled = false
}

interface ClientState {
  who?: Identity
  bucket?: TokenBucket
  closed: boolean
  subscriptions: Set<string>
}

export function createPolicy(o: { log: Logger; refusals: Refusals; limits: Partial<BrokerLimits>; beforeAck?: BeforeAck; congested?: () => boolean }) {
  const { log, refusals, limits } = o
  const clients = new WeakMap<Client, ClientState>()
  const usernameOf = (who: Identity | undefined) => (who?.kind === 'device' ? who.username : who?.kind)

  // The PUBACK of a QoS 1 publish waits for ingest's commit: aedes calls authorizePublish
  // before it acknowledges. If the store fails, the publish is refused, aedes closes the
  // connection and the device resends after reconnecting: nothing acknowledged is lost.
  const pubacks = new PubackQueue<Client>((client, bytes) => {
    if (!client.closed) client.conn.write(bytes)
  })
  const failed = (client: Client, err: Error) => {
    if (client.closed) return // said once per connection
    log.warn({ err: err.message, clientId: client.id }, 'store did not commit; publish refused, closing the connection so the device resends')
    client.conn.destroy()
  }
  // A group commit settles a whole batch of publishes with one promise: they wait on it
  // together — one reaction per batch, not a closure and a reaction per publish.
  let lastPending: Promise<void> | undefined
  let group: Waiting | undefined
  const waitFor = (pending: Promise<void>, client: Client, seq: number) => {
    if (pending !== lastPending || !group || group.settled) {
      const g = (group = new Waiting())
      lastPending = pending
      pending.then(
        () => {
          g.settled = true
          for (let i = 0; i < g.clients.length; i++) pubacks.ready(g.clients[i], g.seqs[i])
        },
        (err: Error) => {
          g.settled = true
          new Set(g.clients).forEach((c) => failed(c, err))
        },
      )
    }
    group.clients.push(client)
    group.seqs.push(seq)
  }

  const ingest = (client: Client, packet: PublishPacket, done: Done) => {
    if (!o.beforeAck) return done(null)
    let pending: Promise<void> | undefined
    try {
      pending = o.beforeAck(packet.topic, packet.payload as Buffer, client.id)
    } catch (err) {
      log.error({ err, topic: packet.topic }, 'ingest threw on a publish; refusing it')
      return done(err as Error)
    }
    if (!pending) {
      // Nothing to wait for (a dead letter, a topic ingest does not store): acknowledged at
      // once — behind this client's acknowledgements still waiting for a commit, if any.
      if (packet.qos === 1 && packet.messageId !== undefined && pubacks.waiting(client) > 0) {
        packet.qos = 0
        pubacks.ready(client, pubacks.take(client, packet.messageId))
      }
      return done(null)
    }
    if (packet.qos === 0) {
      // QoS 0 promises nothing: forward at once, and only log a failed commit.
      pending.catch((err: Error) => log.warn({ err: err.message, clientId: client.id }, 'store did not commit a QoS 0 publish'))
      return done(null)
    }
    // aedes reads a client's next socket buffer only once every publish of the last one is
    // done; waiting here for the commit would make each message — a limit crossing among
    // them — wait for the store before the rules see it. So aedes is told this publish is
    // QoS 0 (it sends no PUBACK and reads on), and the PUBACK is written by pubacks.ts once
    // the commit resolves, in the order the PUBLISHes came in (MQTT 3.1.1 §4.6). A failed
    // commit closes the connection: the device resends what it had no PUBACK for.
    // Subscribers of the embedded broker receive such telemetry at QoS 0.
    const messageId = packet.messageId
    if (messageId === undefined) return done(null)
    packet.qos = 0
    const seq = pubacks.take(client, messageId)
    if (o.congested?.()) {
      // The store is behind: hold this client's socket until its publish is committed, so
      // devices slow down instead of filling memory (back-pressure).
      pending.then(
        () => (pubacks.ready(client, seq), done(null)),
        (err: Error) => (failed(client, err), done(err)),
      )
      return
    }
    waitFor(pending, client, seq)
    done(null)
  }

  // MQTT 3.1.1 has no negative PUBACK: aedes closes the connection of a refused publish.
  const authorize = (client: Client | null, packet: PublishPacket, done: Done): void => {
    const st = client ? clients.get(client) : undefined
    const refused = st?.who ? publishRefusal(st.who, packet.topic) : 'topic_not_allowed' // e.g. a will nobody owns any more
    if (refused || !client || !st) {
      refusals.refuse(refused ?? 'topic_not_allowed', { clientId: client?.id, topic: packet.topic, username: usernameOf(st?.who) })
      return done(new Error(`not allowed to publish on ${packet.topic}`))
    }
    if (!st.bucket || client.closed || st.bucket.tryTake()) return ingest(client, packet, done) // a will is not rate-limited
    const turn = st.bucket.take(() => ingest(client, packet, done))
    if (turn === 'later') refusals.throttled()
    else if (turn === 'full') {
      refusals.refuse('rate_overflow', { clientId: client.id, address: remoteAddress(client) })
      done(new Error('too many publishes waiting for the rate limit'))
    }
  }
  const turns = new FairTurns<Client, PublishPacket>(TURN_MS, authorize)

  return {
    /** Publishes read from the sockets and waiting for their turn (turns.ts). */
    waiting: () => turns.queued,

    /** authenticate's verdict: who this client is */
    admit(client: Client, who: Identity): void {
      const st = clients.get(client)
      if (!st) return
      st.who = who
      if (who.kind !== 'internal' && limits.maxMessagesPerSecond && !st.closed) st.bucket = new TokenBucket(limits.maxMessagesPerSecond)
    },

    authorizePublish(client: Client | null, packet: PublishPacket, done: Done): void {
      if (client) turns.submit(client, packet, done)
      else authorize(client, packet, done)
    },

    // Refused subscriptions get SUBACK 0x80 (MQTT 3.1.1 §3.9.3) and the connection stays.
    authorizeSubscribe(client: Client, sub: Subscription, done: (err: Error | null, sub?: Subscription | null) => void): void {
      const st = clients.get(client)
      const who = st?.who
      if (!st || !who || !subscribeAllowed(who, sub.topic)) {
        refusals.refuse('subscribe_not_allowed', { clientId: client.id, topic: sub.topic, username: usernameOf(who) })
        return done(null, null)
      }
      const max = who.kind === 'internal' ? undefined : limits.maxSubscriptions
      if (max !== undefined && !st.subscriptions.has(sub.topic) && st.subscriptions.size >= max) {
        refusals.refuse('subscription_limit', { clientId: client.id, topic: sub.topic, max })
        return done(null, null)
      }
      st.subscriptions.add(sub.topic)
      done(null, sub)
    },

    /** Hands new connections to aedes with the per-connection fences (limits.ts) in place. */
    handler(aedes: Aedes): Handle {
      aedes.on('unsubscribe', (topics, client) => topics.forEach((t) => clients.get(client)?.subscriptions.delete(t)))
      let unfenced = false
      return (stream, req) => {
        const client = aedes.handle(stream, req)
        const st: ClientState = { closed: false, subscriptions: new Set() }
        clients.set(client, st)
        stream.once('close', () => ((st.closed = true), st.bucket?.close(), turns.forget(client), pubacks.forget(client)))
        const tooLarge = (bytes: number) => refusals.refuse('packet_too_large', { clientId: client.id, address: remoteAddress(client), bytes })
        if (limits.maxPacketBytes && !limitPacketSize(client, limits.maxPacketBytes, tooLarge)) {
          // A limit the configuration promises but this aedes cannot enforce: refuse, loudly.
          log.error('maxPacketBytes cannot be enforced with this aedes/mqtt-packet version; refusing connections')
          return void stream.destroy()
        }
        if (!dropQos0WhenBehind(client, () => refusals.dropped({ clientId: client.id })) && !unfenced) {
          unfenced = true
          log.error('this aedes version has no deliver0 to wrap: QoS 0 to slow subscribers is not dropped')
        }
      }
    },
  }
}
