// Secrets that must never be in the repository live in one file in the data folder
// (credentials.json, mode 0600): password hashes, API token hashes, device credentials and
// the key that signs sessions. The admin CLI and the running service share it; writes are
// atomic (temp file + rename) and the service re-reads it when it changes.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Role } from './people.ts'
import { hashPassword, randomToken, sha256, safeEqual, verifyPassword } from './secrets.ts'

export interface TokenRecord {
  id: string
  name: string
  roles: Role[]
  hash: string
  createdAt: string
  createdBy: string
  revokedAt?: string
}

export interface DeviceRecord {
  hash: string
  /** lines it may publish for, or ["*"] */
  lines: string[]
  /** equipment ids it may publish for, or ["*"] */
  equipment: string[]
  /** Sparkplug B edge nodes it speaks for (broker/acl-sparkplug.ts) */
  sparkplug?: { group: string; edge: string }[]
  createdAt: string
}

interface FileShape {
  version: 1
  sessionSecret: string
  passwords: Record<string, { hash: string; setAt: string }>
  tokens: TokenRecord[]
  devices: Record<string, DeviceRecord>
}

const TOKEN_PREFIX = 'mwt_'
let DUMMY_HASH: string | undefined

export class Credentials {
  private data!: FileShape
  private mtimeMs = 0
  readonly path: string

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true })
    this.path = join(dataDir, 'credentials.json')
    if (!existsSync(this.path)) this.write({ version: 1, sessionSecret: randomToken(32), passwords: {}, tokens: [], devices: {} })
    this.reload()
  }

  /** Re-reads the file if another process (the admin CLI) changed it. Cheap: one stat. */
  reload(): void {
    const m = statSync(this.path).mtimeMs
    if (m === this.mtimeMs && this.data) return
    this.data = JSON.parse(readFileSync(this.path, 'utf8')) as FileShape
    this.mtimeMs = m
  }

  private write(data: FileShape): void {
    const tmp = `${this.path}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(data, null, 2), { mode: 0o600 })
    renameSync(tmp, this.path)
    this.data = data
    this.mtimeMs = statSync(this.path).mtimeMs
  }

  private update(fn: (d: FileShape) => void): void {
    this.reload()
    const copy = structuredClone(this.data)
    fn(copy)
    this.write(copy)
  }

  get sessionSecret(): string {
    return this.data.sessionSecret
  }

  hasPassword(personId: string): boolean {
    this.reload()
    return personId in this.data.passwords
  }

  async setPassword(personId: string, password: string): Promise<void> {
    if (password.length < 10) throw new Error('a password needs at least 10 characters')
    const hash = await hashPassword(password)
    this.update((d) => void (d.passwords[personId] = { hash, setAt: new Date().toISOString() }))
  }

  async checkPassword(personId: string, password: string): Promise<boolean> {
    this.reload()
    const rec = this.data.passwords[personId]
    const ok = await verifyPassword(password, rec?.hash ?? (DUMMY_HASH ??= await hashPassword(randomToken(16))))
    return Boolean(rec) && ok
  }

  createToken(name: string, roles: Role[], createdBy: string): { id: string; token: string } {
    const id = randomToken(6)
    const secret = randomToken(32)
    this.update((d) => d.tokens.push({ id, name, roles, hash: sha256(secret), createdAt: new Date().toISOString(), createdBy }))
    return { id, token: `${TOKEN_PREFIX}${id}_${secret}` }
  }

  listTokens(): Omit<TokenRecord, 'hash'>[] {
    this.reload()
    return this.data.tokens.map(({ hash: _hash, ...t }) => t)
  }

  revokeToken(id: string): boolean {
    let found = false
    this.update((d) => {
      const t = d.tokens.find((x) => x.id === id && !x.revokedAt)
      if (t) (t.revokedAt = new Date().toISOString()), (found = true)
    })
    return found
  }

  /** The live token record a bearer token names, or undefined. */
  checkToken(token: string): TokenRecord | undefined {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined
    const [id, secret] = [token.slice(4, 12), token.slice(13)]
    this.reload()
    const t = this.data.tokens.find((x) => x.id === id)
    return t && !t.revokedAt && secret && safeEqual(sha256(secret), t.hash) ? t : undefined
  }

  async setDevice(username: string, password: string, lines: string[], equipment: string[], sparkplug?: { group: string; edge: string }[]): Promise<void> {
    if (password.length < 16) throw new Error('a device password needs at least 16 characters')
    const hash = await hashPassword(password)
    const sp = sparkplug?.length ? { sparkplug } : {}
    this.update((d) => void (d.devices[username] = { hash, lines, equipment, ...sp, createdAt: new Date().toISOString() }))
  }

  removeDevice(username: string): boolean {
    let found = false
    this.update((d) => void ((found = username in d.devices), delete d.devices[username]))
    return found
  }

  devices(): Record<string, Omit<DeviceRecord, 'hash'>> {
    this.reload()
    return Object.fromEntries(Object.entries(this.data.devices).map(([k, { hash: _h, ...v }]) => [k, v]))
  }

  async checkDevice(username: string, password: string): Promise<DeviceRecord | undefined> {
    this.reload()
    const d = this.data.devices[username]
    // An unknown name costs the same scrypt as a known one: timing must not tell which exist.
    const ok = await verifyPassword(password, d?.hash ?? (DUMMY_HASH ??= await hashPassword(randomToken(16))))
    return d && ok ? d : undefined
  }
}
