// Generic JSON webhook: POSTs the alarm change (alarm + ISA-18.2 transition) with the person
// it is for. With a secret, `X-Millwatch-Signature: sha256=<hex HMAC-SHA256(secret, body)>`
// lets the receiver check it came from millwatch (the body carries `sentAt` against replay).
import { createHmac } from 'node:crypto'
import { httpFailure, networkFailure, postJson } from './http.ts'
import type { Item } from './message.ts'
import type { SendResult } from './queue.ts'

export const SIGNATURE_HEADER = 'x-millwatch-signature'

export const webhookSignature = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

export function webhookBody(item: Item, sentAt: number): string {
  const { person, change, info } = item
  return JSON.stringify({
    type: 'millwatch.alarm',
    sentAt,
    recipient: { id: person.id, name: person.name, language: person.language },
    alarm: change.alarm,
    transition: change.transition,
    description: info.description,
    escalation: info.escalation,
    links: { ack: info.ackUrl?.(person.id), alarm: info.alarmUrl },
  })
}

export function webhookSender(o: { url: string; secret?: string; timeoutMs: number; now: () => number }): (items: readonly Item[]) => Promise<SendResult> {
  return async (items) => {
    const body = webhookBody(items[0], o.now())
    try {
      const r = await postJson(o.url, body, o.timeoutMs, o.secret ? { [SIGNATURE_HEADER]: webhookSignature(o.secret, body) } : {})
      return r.status >= 200 && r.status < 300 ? { ok: true } : httpFailure(r.status)
    } catch (err) {
      return networkFailure(err)
    }
  }
}
