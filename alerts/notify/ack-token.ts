// Signed acknowledge links: a message's "Acknowledge" button carries a token naming one alarm
// occurrence and one person, with an expiry, HMAC-SHA256 signed with millwatch's secret. One
// tap acknowledges without a password; the token cannot be forged (no secret), stretched
// (expiry is signed), or used for another alarm or person (both are signed). Reusing it on
// the same alarm is harmless: acknowledgement is idempotent (ISA-18.2 B → C happens once).
import { createHmac, timingSafeEqual } from 'node:crypto'

export interface AckClaims {
  readonly alarmId: string
  readonly personId: string
  /** Epoch ms after which the token is refused. */
  readonly expires: number
}

export type AckTokenError = 'malformed' | 'bad signature' | 'expired' | 'other alarm'

// A purpose label inside the MAC: a signature made with the same secret for something else
// (a session cookie) never verifies as an acknowledge token.
const PURPOSE = 'millwatch-ack-v1\n'

const mac = (secret: string | Buffer, body: string) => createHmac('sha256', secret).update(PURPOSE).update(body).digest()

export function makeAckToken(secret: string | Buffer, claims: AckClaims): string {
  if (!secret || secret.length < 16) throw new Error('ack token secret: at least 16 bytes')
  const body = Buffer.from(JSON.stringify({ a: claims.alarmId, p: claims.personId, e: Math.floor(claims.expires) })).toString('base64url')
  return `${body}.${mac(secret, body).toString('base64url')}`
}

/** `{ alarmId, personId, expires }` if the token is genuine, unexpired and (when given) for `alarmId`. */
export function verifyAckToken(secret: string | Buffer, token: string, alarmId?: string, now = Date.now()): AckClaims | { error: AckTokenError } {
  if (typeof token !== 'string' || token.length > 2048) return { error: 'malformed' }
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token)
  if (!m) return { error: 'malformed' }
  const given = Buffer.from(m[2], 'base64url')
  const expected = mac(secret, m[1])
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { error: 'bad signature' }
  let c: { a?: unknown; p?: unknown; e?: unknown }
  try {
    c = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'))
  } catch {
    return { error: 'malformed' }
  }
  if (typeof c.a !== 'string' || typeof c.p !== 'string' || typeof c.e !== 'number') return { error: 'malformed' }
  if (now >= c.e) return { error: 'expired' }
  if (alarmId !== undefined && alarmId !== c.a) return { error: 'other alarm' }
  return { alarmId: c.a, personId: c.p, expires: c.e }
}

/** `${publicUrl}/inbox/ack?token=…` for one person and one alarm occurrence. */
export function ackUrl(publicUrl: string, secret: string | Buffer, alarmId: string, personId: string, expires: number): string {
  return `${publicUrl.replace(/\/+$/, '')}/inbox/ack?token=${encodeURIComponent(makeAckToken(secret, { alarmId, personId, expires }))}`
}
