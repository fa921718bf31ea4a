// Sign-in sessions: the cookie holds `personId.expiry.sessionId`, signed by @fastify/cookie
// with the secret from credentials.json (HMAC), so it cannot be forged or altered. Sign-out
// revokes the session id until its expiry. One-time sign-in links (the loopback demo's
// first admin) are single-use and expire after 15 minutes.
import { randomToken } from '../../core/secrets.ts'

export const SESSION_COOKIE = 'mw_session'
/** A session outlasts one 8-hour shift with a margin, not more. */
export const SESSION_TTL_MS = 10 * 3_600_000
const ONE_TIME_TTL_MS = 15 * 60_000

export interface Session {
  personId: string
  expires: number
  sid: string
}

export class Sessions {
  private readonly revoked = new Map<string, number>()
  private readonly oneTime = new Map<string, { personId: string; expires: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  create(personId: string): { value: string; session: Session } {
    const session = { personId, expires: this.now() + SESSION_TTL_MS, sid: randomToken(12) }
    return { value: `${personId}.${session.expires}.${session.sid}`, session }
  }

  /** The session an already signature-checked cookie value names, if still valid. */
  read(value: string): Session | undefined {
    // person ids may hold dots (li.na): the expiry and session id are the last two parts
    const parts = value.split('.')
    const sid = parts.pop()
    const expires = Number(parts.pop())
    const personId = parts.join('.')
    if (!personId || !sid || !Number.isFinite(expires) || expires <= this.now() || this.revoked.has(sid)) return undefined
    return { personId, expires, sid }
  }

  revoke(s: Session): void {
    this.revoked.set(s.sid, s.expires)
    const now = this.now()
    for (const [sid, exp] of this.revoked) if (exp <= now) this.revoked.delete(sid)
  }

  oneTimeLink(personId: string): string {
    const token = randomToken(24)
    this.oneTime.set(token, { personId, expires: this.now() + ONE_TIME_TTL_MS })
    return token
  }

  /** Spends a one-time token: the person it was for, or undefined if unknown, used or expired. */
  redeem(token: string): string | undefined {
    const t = this.oneTime.get(token)
    this.oneTime.delete(token)
    return t && t.expires > this.now() ? t.personId : undefined
  }
}
