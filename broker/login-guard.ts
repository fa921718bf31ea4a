// Device logins cost a scrypt hash each (~50–100 ms of a libuv thread). Two fences keep a
// reconnect storm or a password guesser from burning the CPU:
// - a successful check is remembered briefly, keyed by username and a keyed hash of the
//   password, so the same gateway reconnecting a hundred times costs one scrypt; concurrent
//   checks of the same pair share one scrypt. Failures are never remembered as answers.
// - failed attempts are counted per username and per remote address in a fixed window;
//   beyond the limit further attempts are refused without hashing until the window ends. An
//   attempt counts as failed from the moment it starts until it succeeds, so a thousand
//   guesses sent in parallel are throttled like a thousand in a row.
import { createHmac, randomBytes } from 'node:crypto'

export const LOGIN_CACHE_MS = 60_000
const FAILURE_WINDOW_MS = 60_000
const FAILURES_PER_USERNAME = 5
// Higher per address: many gateways can sit behind one NAT router.
const FAILURES_PER_ADDRESS = 20
// Both maps are bounded: an attacker cycling usernames evicts the oldest entries, not memory.
const MAX_ENTRIES = 10_000

export class LoginGuard<T> {
  // Per-process key: the cache never holds a plain fast hash of a password.
  private readonly key = randomBytes(32)
  private readonly ok = new Map<string, { value: T; until: number; version: number }>()
  private readonly inflight = new Map<string, Promise<T | undefined>>()
  private readonly failures = new Map<string, { count: number; until: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  cacheKey(username: string, password: Buffer): string {
    return `${username}\0${createHmac('sha256', this.key).update(password).digest('base64url')}`
  }

  /** Whether this username or address has failed too often lately. */
  throttled(username: string, address: string | undefined): boolean {
    return this.over(`u:${username}`, FAILURES_PER_USERNAME) || (address !== undefined && this.over(`a:${address}`, FAILURES_PER_ADDRESS))
  }

  /** The remembered successful check for (key), if it is fresh and the credentials file did not change. */
  cached(key: string, version: number): T | undefined {
    const hit = this.ok.get(key)
    if (hit && hit.until > this.now() && hit.version === version) return hit.value
    if (hit) this.ok.delete(key)
    return undefined
  }

  /**
   * Runs `verify` and remembers a success. Concurrent calls for the same key share one run
   * and count as one attempt; a run counts as a failed attempt of its username and address
   * from the start until it succeeds. `version` changes when the credentials file does, so a
   * removed device or a changed password is checked again at once.
   */
  async verify(key: string, who: { username: string; address?: string; version: number }, verify: () => Promise<T | undefined>): Promise<T | undefined> {
    let pending = this.inflight.get(key)
    if (!pending) {
      const counted = who.address === undefined ? [`u:${who.username}`] : [`u:${who.username}`, `a:${who.address}`]
      for (const k of counted) this.count(k)
      const uncount = () => counted.forEach((k) => this.uncount(k))
      pending = verify()
        .then(
          (value) => (value !== undefined && uncount(), value),
          (err: unknown) => (uncount(), Promise.reject(err)), // our failure, not the device's
        )
        .finally(() => this.inflight.delete(key))
      this.inflight.set(key, pending)
    }
    const value = await pending
    if (value !== undefined) this.remember(this.ok, key, { value, until: this.now() + LOGIN_CACHE_MS, version: who.version })
    return value
  }

  private over(k: string, limit: number): boolean {
    const f = this.failures.get(k)
    if (f && f.until <= this.now()) this.failures.delete(k)
    return f !== undefined && f.until > this.now() && f.count >= limit
  }

  private count(k: string): void {
    const f = this.failures.get(k)
    if (f && f.until > this.now()) f.count++
    else this.remember(this.failures, k, { count: 1, until: this.now() + FAILURE_WINDOW_MS })
  }

  private uncount(k: string): void {
    const f = this.failures.get(k)
    if (f && f.count > 0) f.count--
  }

  private remember<V>(map: Map<string, V>, k: string, v: V): void {
    map.delete(k)
    if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!)
    map.set(k, v)
  }
}
