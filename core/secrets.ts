// Password and token hashing with node:crypto. Passwords: scrypt, a slow salted hash
// (RFC 7914) with parameters kept in the hash string so they can be raised later. API tokens
// are 32 random bytes: a fast SHA-256 is enough for them and keeps each request cheap.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))))

// N = 2^15 takes ~50–100 ms here: slow for a guesser, fine for a sign-in.
const DEFAULT = { N: 32768, r: 8, p: 1 }

export async function hashPassword(password: string, params = DEFAULT): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(password, salt, 32, { ...params, maxmem: 256 * params.N * params.r })
  return `scrypt$${params.N},${params.r},${params.p}$${salt.toString('base64')}$${key.toString('base64')}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, params, salt, hash] = stored.split('$')
  if (kind !== 'scrypt' || !params || !salt || !hash) return false
  const [N, r, p] = params.split(',').map(Number)
  const expected = Buffer.from(hash, 'base64')
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N, r, p, maxmem: 256 * N * r })
  return key.length === expected.length && timingSafeEqual(key, expected)
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url')

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url')

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
