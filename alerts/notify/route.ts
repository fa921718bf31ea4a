// Glue between the escalation tracker and the dispatcher: an escalation becomes a
// notification to its recipients, each with their own signed acknowledge link.
import type { AlarmChange } from '../engine.ts'
import type { Escalation } from '../routing/escalation.ts'
import { ackUrl } from './ack-token.ts'
import type { Dispatcher } from './dispatcher.ts'
import type { NotifyInfo } from './message.ts'

export interface EscalationNotifierOptions {
  readonly dispatcher: Pick<Dispatcher, 'notify'>
  /** Base of the links in messages (config.publicUrl). */
  readonly publicUrl: string
  /** Signs acknowledge tokens (verifyAckToken on /inbox/ack checks them). */
  readonly ackSecret: string | Buffer
  readonly ackTtlMs: number
  readonly timezone?: string
  readonly now?: () => number
  /** The rule's description, the sensor's unit, the equipment's name. */
  readonly describe?: (change: AlarmChange) => Pick<NotifyInfo, 'description' | 'unit' | 'equipmentName'>
}

export function escalationNotifier(o: EscalationNotifierOptions): (e: Escalation) => void {
  const now = o.now ?? Date.now
  const base = o.publicUrl.replace(/\/+$/, '')
  return (e) => {
    const expires = now() + o.ackTtlMs
    o.dispatcher.notify(e.recipients, e.change, {
      ...o.describe?.(e.change),
      timezone: o.timezone,
      ackUrl: (personId) => ackUrl(base, o.ackSecret, e.alarmId, personId, expires),
      alarmUrl: `${base}/inbox`,
      escalation: { level: e.levelIndex, role: e.level, waitedMs: e.waitedMs },
    })
  }
}
