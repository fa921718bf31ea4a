// Sends an alarm change to people on every configured channel. `notify` only queues and
// returns at once: each channel has its own bounded queue and workers with per-request
// timeouts, so a channel that is down or hangs delays neither the others nor the rules.
// Every attempt is reported through `onDelivery` — whom, when, which channel, and whether it
// got through — for the alarm's record.
import type { Logger } from '../../core/log.ts'
import type { Person } from '../../core/people.ts'
import type { AlarmChange } from '../engine.ts'
import type { ChannelsConfig } from './config.ts'
import { dingtalkSender } from './dingtalk.ts'
import { emailSender } from './email.ts'
import type { Item, NotifyInfo } from './message.ts'
import { ChannelQueue, realClock, type Attempt, type Clock } from './queue.ts'
import { webhookSender } from './webhook.ts'
import { wecomSender } from './wecom.ts'

export type ChannelName = 'dingtalk' | 'wecom' | 'email' | 'webhook'

/** One delivery attempt (store/types.ts DeliveryRecord). */
export interface Delivery {
  readonly alarmId: string
  readonly personId: string
  readonly channel: ChannelName
  /** When the attempt started (epoch ms). */
  readonly at: number
  readonly ok: boolean
  readonly error?: string
  /** 1, 2, …; 0 for an item dropped from a full queue before any attempt. */
  readonly attempt: number
  /** Several alarms were merged into one digest message. */
  readonly digest?: boolean
}

export interface DispatcherOptions {
  readonly channels: Pick<ChannelsConfig, 'timeoutMs' | 'queueLimit' | 'dingtalk' | 'wecom' | 'email' | 'webhook'>
  readonly log?: Logger
  /** Clock for signatures, the robots' one-minute windows and backoff (tests pass a fake one). */
  readonly now?: () => number
  readonly sleep?: (ms: number) => Promise<void>
  readonly onDelivery?: (d: Delivery) => void
  /** First retry delay; doubles per attempt, at most 30 s. Default 1 s. */
  readonly backoffMs?: number
}

export interface Dispatcher {
  /** The channels that are on. */
  readonly channels: readonly ChannelName[]
  /** Queues the change for each recipient on each channel that can reach them; returns at once. */
  notify(recipients: readonly Person[], change: AlarmChange, info?: NotifyInfo): void
  /** Items waiting per channel. */
  pending(): Record<string, number>
  /** Resolves when every queue is empty and nothing is in flight (tests, shutdown). */
  idle(): Promise<void>
  /** Drops what waits; safe to call twice. */
  close(): void
}

const sameMessage = (a: Item, b: Item) =>
  a.change.transition.alarmId === b.change.transition.alarmId && a.change.transition.at === b.change.transition.at && a.change.transition.action === b.change.transition.action && a.person.language === b.person.language && a.info.escalation?.level === b.info.escalation?.level

export function createDispatcher(o: DispatcherOptions): Dispatcher {
  const c = o.channels
  const clock: Clock = { now: o.now ?? realClock.now, sleep: o.sleep ?? realClock.sleep }
  const log = o.log
  const queues = new Map<ChannelName, { queue: ChannelQueue; reaches: (p: Person) => boolean }>()
  const closers: Array<() => void> = []

  const reporter = (channel: ChannelName) => (a: Attempt) => {
    for (const it of a.items) {
      const d: Delivery = { alarmId: it.change.transition.alarmId, personId: it.person.id, channel, at: a.at, ok: a.ok, attempt: a.attempt, ...(a.error && { error: a.error }), ...(a.items.length > 1 && new Set(a.items.map((i) => i.change.transition.alarmId)).size > 1 && { digest: true }) }
      try {
        o.onDelivery?.(d)
      } catch (err) {
        log?.error({ err }, 'onDelivery failed')
      }
    }
  }
  const common = (channel: ChannelName) => ({ channel, clock, log, limit: c.queueLimit, report: reporter(channel), backoffMs: o.backoffMs })

  if (c.dingtalk) {
    const send = dingtalkSender({ ...c.dingtalk, timeoutMs: c.timeoutMs, now: clock.now })
    queues.set('dingtalk', { reaches: () => true, queue: new ChannelQueue({ ...common('dingtalk'), send, maxAttempts: c.dingtalk.maxAttempts, perMinute: c.dingtalk.maxPerMinute, merge: true, maxDigest: 30, sameMessage }) })
  }
  if (c.wecom) {
    const send = wecomSender({ webhook: c.wecom.webhook, timeoutMs: c.timeoutMs })
    queues.set('wecom', { reaches: () => true, queue: new ChannelQueue({ ...common('wecom'), send, maxAttempts: c.wecom.maxAttempts, perMinute: c.wecom.maxPerMinute, merge: true, maxDigest: 15, sameMessage }) })
  }
  if (c.email) {
    const mail = emailSender({ url: c.email.url, from: c.email.from, timeoutMs: c.timeoutMs })
    closers.push(mail.close)
    queues.set('email', { reaches: (p) => !!p.email, queue: new ChannelQueue({ ...common('email'), send: mail.send, maxAttempts: c.email.maxAttempts, concurrency: 4 }) })
  }
  if (c.webhook) {
    const send = webhookSender({ url: c.webhook.url, secret: c.webhook.secret, timeoutMs: c.timeoutMs, now: clock.now })
    queues.set('webhook', { reaches: () => true, queue: new ChannelQueue({ ...common('webhook'), send, maxAttempts: c.webhook.maxAttempts, concurrency: 4 }) })
  }

  let closed = false
  return {
    channels: [...queues.keys()],
    notify(recipients, change, info = {}) {
      if (closed) return
      for (const [, q] of queues) for (const person of recipients) if (q.reaches(person)) q.queue.push({ person, change, info })
    },
    pending: () => Object.fromEntries([...queues].map(([k, q]) => [k, q.queue.size])),
    async idle() {
      await Promise.all([...queues.values()].map((q) => q.queue.idle()))
    },
    close() {
      if (closed) return
      closed = true
      for (const q of queues.values()) q.queue.close()
      for (const f of closers) f()
    },
  }
}
