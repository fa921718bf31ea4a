// One queue per channel, so a channel that is down or hangs never holds up another one, nor
// the caller (who only pushes). Items wait in priority order, first in first out within a
// priority: a critical alarm is not sent after a burst of low ones (ISA-18.2 §11: priority
// tells the operator, and here the channel, what to handle first). Bounded: beyond `limit`
// the oldest waiting item of the lowest priority is dropped and reported. Robots (DingTalk, WeCom) allow 20 messages a minute: a sliding one-minute
// window of requests, and when more items wait than requests remain in the window they are
// merged into one digest message — nothing is lost, nothing goes over the limit. Failed
// attempts that may succeed later (throttled, network, 5xx) are retried with exponential
// backoff; every attempt is reported.
import type { Logger } from '../../core/log.ts'
import { PRIORITIES } from '../rules/types.ts'
import type { Item } from './message.ts'

export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms).unref?.()) }

export interface SendResult {
  readonly ok: boolean
  /** Worth trying again later (throttled, network error, 5xx). */
  readonly retry?: boolean
  readonly error?: string
  /** Throttled by the receiver: the first retry waits this long, doubling (at most 10 min). */
  readonly retryAfterMs?: number
}

export interface Attempt {
  readonly items: readonly Item[]
  readonly at: number
  readonly attempt: number
  readonly ok: boolean
  readonly error?: string
}

export interface QueueOptions {
  readonly channel: string
  /** Sends one message about `items` (one item, several people for one alarm, or a digest). */
  readonly send: (items: readonly Item[]) => Promise<SendResult>
  readonly report: (a: Attempt) => void
  readonly clock: Clock
  readonly log?: Logger
  readonly limit: number
  readonly maxAttempts: number
  /** Requests per sliding minute; absent: unlimited. */
  readonly perMinute?: number
  /** Merge bursts into digests (robots); otherwise one item per message. */
  readonly merge?: boolean
  /** Most items in one digest (message size limits: DingTalk 20 000 bytes, WeCom 4 096). */
  readonly maxDigest?: number
  /** Parallel sends (not with `perMinute`: a robot's messages go out in order). */
  readonly concurrency?: number
  readonly backoffMs?: number
  /** Groups items that form one message (same alarm change, same language). */
  readonly sameMessage?: (a: Item, b: Item) => boolean
}

const MINUTE = 60_000

const rank = (i: Item): number => {
  const r = PRIORITIES.indexOf(i.change.alarm.priority)
  return r < 0 ? PRIORITIES.length : r
}

export class ChannelQueue {
  private readonly waiting: Item[] = []
  private readonly sent: number[] = []
  private running = 0
  private closed = false
  private idleWaiters: Array<() => void> = []

  constructor(private readonly o: QueueOptions) {}

  get size() {
    return this.waiting.length
  }

  push(item: Item): void {
    if (this.closed) return
    const q = this.waiting
    // after the last waiting item of the same or a more urgent priority
    let at = q.length
    while (at > 0 && rank(q[at - 1]) > rank(item)) at--
    if (q.length >= this.o.limit) {
      const lowest = rank(q[q.length - 1])
      let victim = q.length - 1
      while (victim > 0 && rank(q[victim - 1]) === lowest) victim--
      // A full queue of more urgent items: the newcomer itself is the one to drop.
      const dropped = rank(item) > lowest ? item : q.splice(victim, 1)[0]
      if (victim < at) at--
      this.o.log?.error({ channel: this.o.channel, alarmId: dropped.change.transition.alarmId }, 'notification queue full: oldest of the lowest priority dropped')
      this.o.report({ items: [dropped], at: this.o.clock.now(), attempt: 0, ok: false, error: 'queue full: dropped' })
      if (dropped === item) return
    }
    q.splice(at, 0, item)
    const workers = this.o.perMinute || this.o.merge ? 1 : (this.o.concurrency ?? 4)
    // Workers take their item synchronously (unless rate-limited: then there is one), so
    // every running worker is busy and a waiting item needs a new one.
    while (this.running < workers && this.waiting.length > 0) {
      this.running++
      void this.work()
    }
  }

  /** Resolves once nothing waits and nothing is in flight. */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve()
    return new Promise((r) => this.idleWaiters.push(r))
  }

  close(): void {
    this.closed = true
    this.waiting.length = 0
  }

  private async work(): Promise<void> {
    try {
      while (!this.closed && this.waiting.length) {
        if (this.o.perMinute) await this.slot()
        if (this.closed || !this.waiting.length) break
        await this.deliver(this.take())
      }
    } finally {
      this.running--
      if (this.running === 0 && (this.waiting.length === 0 || this.closed)) for (const r of this.idleWaiters.splice(0)) r()
    }
  }

  /** The next message: a digest when more wait than the window has room for, else the head (with its siblings). */
  private take(): Item[] {
    const q = this.waiting
    if (this.o.merge && this.o.perMinute && q.length > 1 && q.length >= this.o.perMinute - this.sent.length) return q.splice(0, this.o.maxDigest ?? 30)
    const head = q.shift()!
    if (!this.o.sameMessage) return [head]
    const batch = [head]
    for (let i = 0; i < q.length; ) {
      if (this.o.sameMessage(head, q[i])) batch.push(...q.splice(i, 1))
      else i++
    }
    return batch
  }

  /** Waits until the sliding minute has room for one more request. */
  private async slot(): Promise<void> {
    const max = this.o.perMinute
    if (!max) return
    for (;;) {
      const now = this.o.clock.now()
      while (this.sent.length && this.sent[0] <= now - MINUTE) this.sent.shift()
      if (this.sent.length < max) return
      await this.o.clock.sleep(this.sent[0] + MINUTE - now)
    }
  }

  private async deliver(items: Item[]): Promise<void> {
    await null // the pusher returns before any request work starts
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) await this.slot()
      const at = this.o.clock.now()
      if (this.o.perMinute) this.sent.push(at)
      let r: SendResult
      try {
        r = await this.o.send(items)
      } catch (err) {
        r = { ok: false, retry: true, error: (err as Error).message }
      }
      this.o.report({ items, at, attempt, ok: r.ok, error: r.error })
      if (r.ok) return
      const again = r.retry && attempt < this.o.maxAttempts && !this.closed
      this.o.log?.warn({ channel: this.o.channel, attempt, error: r.error, alarms: items.length, retry: again }, 'notification not delivered')
      if (!again) return
      const wait = r.retryAfterMs ? Math.min(600_000, r.retryAfterMs * 2 ** (attempt - 1)) : Math.min(30_000, (this.o.backoffMs ?? 1000) * 2 ** (attempt - 1))
      await this.o.clock.sleep(wait)
    }
  }
}
