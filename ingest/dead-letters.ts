// Dead letters: what ingest could not store, kept (bounded, newest first) so an engineer can
// see what a broken gateway sends, and logged at a sane rate so a flood of them cannot
// flood the log too.
import type { Logger } from '../core/log.ts'
import { isSparkplugTopic } from '../core/sparkplug-b.ts'
import type { Reject, RejectReason } from './reasons.ts'

export interface DeadLetter {
  receivedAt: string
  topic: string
  clientId?: string
  rejects: Reject[]
  /** the payload as text, cut to 1 KiB (base64 for Sparkplug B's binary protobuf) */
  payload: string
  payloadEncoding?: 'base64'
  payloadBytes: number
}

const MAX_KEPT_PAYLOAD = 1024
const LOG_EVERY_MS = 10_000

export class DeadLetters {
  private readonly ring: (DeadLetter | undefined)[]
  private next = 0
  private size = 0
  private readonly lastLog = new Map<RejectReason, { at: number; suppressed: number }>()

  constructor(
    readonly capacity: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.ring = new Array(capacity)
  }

  add(topic: string, payload: Uint8Array, rejects: Reject[], receivedAt: number, clientId?: string): void {
    const kept = Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.byteLength, MAX_KEPT_PAYLOAD))
    const binary = isSparkplugTopic(topic)
    const text = kept.toString(binary ? 'base64' : 'utf8')
    this.ring[this.next] = { receivedAt: new Date(receivedAt).toISOString(), topic, clientId, rejects, payload: text, ...(binary && { payloadEncoding: 'base64' as const }), payloadBytes: payload.byteLength }
    this.next = (this.next + 1) % this.capacity
    this.size = Math.min(this.size + 1, this.capacity)
    this.logRateLimited(topic, rejects[0], clientId)
  }

  /** Newest first. */
  list(limit = this.capacity): DeadLetter[] {
    const out: DeadLetter[] = []
    for (let i = 1; i <= Math.min(limit, this.size); i++) out.push(this.ring[(this.next - i + this.capacity) % this.capacity]!)
    return out
  }

  private logRateLimited(topic: string, first: Reject, clientId?: string): void {
    const now = this.now()
    const seen = this.lastLog.get(first.reason)
    if (seen && now - seen.at < LOG_EVERY_MS) {
      seen.suppressed++
      return
    }
    this.log.warn({ topic, clientId, reason: first.reason, detail: first.detail, suppressedSinceLast: seen?.suppressed ?? 0 }, 'dead letter')
    this.lastLog.set(first.reason, { at: now, suppressed: 0 })
  }
}
