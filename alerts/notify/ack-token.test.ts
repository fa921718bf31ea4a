import { describe, expect, it } from 'vitest'
import { ackUrl, makeAckToken, verifyAckToken } from './ack-token.ts'

const secret = 'a-test-secret-of-enough-length'
const now = Date.parse('2025-01-06T02:00:00Z')
const claims = { alarmId: 'tcm1.stand3.vibration_mm_s.vibration_zone_d.1', personId: 'liu.yang', expires: now + 3_600_000 }

describe('acknowledge tokens', () => {
  it('round-trips for its alarm and person', () => {
    const t = makeAckToken(secret, claims)
    expect(verifyAckToken(secret, t, claims.alarmId, now)).toEqual(claims)
    expect(verifyAckToken(secret, t, undefined, now)).toEqual(claims)
  })

  it('refuses a token for another alarm', () => {
    const t = makeAckToken(secret, claims)
    expect(verifyAckToken(secret, t, 'tcm1.stand1.x.y.2', now)).toEqual({ error: 'other alarm' })
  })

  it('refuses an expired token', () => {
    const t = makeAckToken(secret, claims)
    expect(verifyAckToken(secret, t, claims.alarmId, claims.expires)).toEqual({ error: 'expired' })
  })

  it('refuses forgeries: another secret, an edited body, a spliced signature, garbage', () => {
    const t = makeAckToken(secret, claims)
    expect(verifyAckToken(secret, makeAckToken('another-secret-of-enough-length', claims), claims.alarmId, now)).toEqual({ error: 'bad signature' })
    const [, sig] = t.split('.')
    const edited = Buffer.from(JSON.stringify({ a: claims.alarmId, p: 'zhang.wei', e: claims.expires })).toString('base64url')
    expect(verifyAckToken(secret, `${edited}.${sig}`, claims.alarmId, now)).toEqual({ error: 'bad signature' })
    const longer = Buffer.from(JSON.stringify({ a: claims.alarmId, p: claims.personId, e: claims.expires * 2 })).toString('base64url')
    expect(verifyAckToken(secret, `${longer}.${sig}`, claims.alarmId, now)).toEqual({ error: 'bad signature' })
    const other = makeAckToken(secret, { ...claims, alarmId: 'other' })
    expect(verifyAckToken(secret, `${other.split('.')[0]}.${sig}`, undefined, now)).toEqual({ error: 'bad signature' })
    for (const junk of ['', 'abc', 'a.b', `${t}x`, `${t}.x`, '.'.repeat(3000)]) expect(verifyAckToken(secret, junk, undefined, now)).toHaveProperty('error')
  })

  it('builds the acknowledge link under the public URL', () => {
    const u = new URL(ackUrl('http://mill.example:3000/', secret, claims.alarmId, claims.personId, claims.expires))
    expect(u.pathname).toBe('/inbox/ack')
    expect(verifyAckToken(secret, u.searchParams.get('token')!, claims.alarmId, now)).toEqual(claims)
  })
})
