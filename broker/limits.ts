// Fences that keep one client from taking the broker (and so millwatch) down with it
// (DESIGN.md, "aedes risks"). Both reach into aedes/mqtt-packet internals because aedes 1.2
// has no option for them; limits.test.ts and flood.test.ts fail if an upgrade moves them.
import type { Client } from 'aedes'

/**
 * Largest packet a client may send. aedes has no such option and mqtt-packet's parser buffers
 * a whole packet before it emits it, so a header announcing 256 MB would be collected in
 * memory. The parser reads the fixed header's Remaining Length first (`_parseLength`, MQTT
 * 3.1.1 §2.2.3); checking it there closes the connection before any of the body is kept
 * beyond the socket read it arrived in.
 * Returns false if this aedes cannot be fenced (then the caller refuses the connection).
 */
export function limitPacketSize(client: Client, maxBytes: number, onTooLarge: (bytes: number) => void): boolean {
  const parser = (client as unknown as { _parser?: ParserInternals })._parser
  if (typeof parser?._parseLength !== 'function' || typeof parser._emitError !== 'function') return false
  const parseLength = parser._parseLength
  parser._parseLength = function (this: ParserInternals) {
    const ok = parseLength.call(this)
    if (!ok) return false
    const remaining = this.packet.length
    // whole packet: 1 byte of type and flags, 1–4 bytes of length, then the remaining length
    const total = 1 + (remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4) + remaining
    if (total <= maxBytes) return true
    onTooLarge(total)
    this._emitError(new Error(`packet of ${total} bytes is over the limit of ${maxBytes}`))
    return false
  }
  return true
}

interface ParserInternals {
  packet: { length: number }
  _parseLength(): boolean
  _emitError(err: Error): void
}

/** Deliveries (not bytes) one subscriber may have in flight at QoS 0 before more are dropped. */
const QOS0_MAX_INFLIGHT = 10_000
/** Unsent bytes in a subscriber's socket beyond which its QoS 0 deliveries are dropped. */
const QOS0_MAX_BACKLOG_BYTES = 1024 * 1024

type Deliver = (packet: unknown, cb: () => void) => void

/**
 * QoS 0 to a subscriber that does not keep up: drop, as MQTT allows ("at most once") and
 * Mosquitto does. aedes instead holds each delivery, and with it the message in mqemitter,
 * until the subscriber's socket drains; a publisher's next read waits for all its messages,
 * so one stalled subscriber stalls every publisher until drainTimeout (30 s) cuts it off.
 * Here the message is released at once; the write itself still goes out, in order, unless
 * the subscriber is already QOS0_MAX_BACKLOG_BYTES or QOS0_MAX_INFLIGHT deliveries behind.
 * aedes reads `client.deliver0` when a subscription is made, so this wraps it right after
 * the client is created. Returns false if this aedes has no deliver0 to wrap.
 */
export function dropQos0WhenBehind(client: Client, onDrop: () => void): boolean {
  const c = client as unknown as { deliver0?: Deliver }
  const deliver0 = c.deliver0
  if (typeof deliver0 !== 'function') return false
  let inflight = 0
  const written = () => void inflight--
  c.deliver0 = (packet, cb) => {
    if (inflight >= QOS0_MAX_INFLIGHT || client.conn.writableLength > QOS0_MAX_BACKLOG_BYTES) {
      onDrop()
    } else {
      inflight++
      deliver0(packet, written)
    }
    setImmediate(cb)
  }
  return true
}
