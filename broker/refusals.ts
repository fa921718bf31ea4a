// What the broker refused or dropped, counted and logged at a sane rate: a misconfigured
// gateway reconnecting and being refused in a loop, or a subscriber that fell behind by a
// million QoS 0 messages, must not turn the log into the bigger problem.
import { Counter, type Registry } from 'prom-client'
import type { Logger } from '../core/log.ts'

export type RefusalReason =
  | 'bad_credentials' // wrong username or password (CONNACK 4)
  | 'anonymous' // no credentials where anonymous clients are not allowed (CONNACK 5)
  | 'login_throttled' // too many failed logins for that username or address (CONNACK 5)
  | 'reserved_topic' // publish on $SYS or another $-topic
  | 'alarm_topic' // publish on plant/+/+/alarm
  | 'topic_not_allowed' // publish outside the device's lines and equipment
  | 'subscribe_not_allowed' // SUBACK 0x80
  | 'subscription_limit' // SUBACK 0x80 beyond maxSubscriptions
  | 'packet_too_large' // connection closed before the body was buffered
  | 'rate_overflow' // connection closed: more publishes waiting for tokens than one socket read can hold

/** How often each reason may be logged; the rest are counted and summed into the next line. */
const LOG_EVERY_MS = 10_000

export interface Refusals {
  refuse(reason: RefusalReason, details: Record<string, unknown>): void
  /** a QoS 0 delivery dropped because its subscriber is too far behind */
  dropped(details: Record<string, unknown>): void
  /** a publish held back by its client's token bucket */
  throttled(): void
}

export function createRefusals(log: Logger, registry: Registry): Refusals {
  const refused = new Counter({
    name: 'mw_broker_refused_total',
    help: 'Connections, publishes and subscriptions the embedded broker refused, by reason',
    labelNames: ['reason'],
    registers: [registry],
  })
  const dropped = new Counter({
    name: 'mw_broker_qos0_dropped_total',
    help: 'QoS 0 deliveries dropped because the subscriber was too far behind',
    registers: [registry],
  })
  const throttled = new Counter({
    name: 'mw_broker_throttled_total',
    help: 'Publishes whose acknowledgement waited for the client rate limit (maxMessagesPerSecond)',
    registers: [registry],
  })
  const lastLogged = new Map<string, { at: number; suppressed: number }>()

  const logLimited = (key: string, msg: string, details: Record<string, unknown>) => {
    const now = Date.now()
    const s = lastLogged.get(key)
    if (s && now - s.at < LOG_EVERY_MS) {
      s.suppressed++
      return
    }
    log.warn({ ...details, reason: key, suppressedSinceLast: s?.suppressed ?? 0 }, msg)
    lastLogged.set(key, { at: now, suppressed: 0 })
  }

  return {
    refuse(reason, details) {
      refused.inc({ reason })
      logLimited(reason, `broker refused: ${reason.replaceAll('_', ' ')}`, details)
    },
    dropped(details) {
      dropped.inc()
      logLimited('qos0_dropped', 'subscriber too far behind; QoS 0 messages dropped', details)
    },
    throttled() {
      throttled.inc()
    },
  }
}
