import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Credentials } from './credentials.ts'

const dir = () => mkdtempSync(join(tmpdir(), 'mw-cred-'))

describe('Credentials', () => {
  it('keeps only slow salted hashes of passwords, readable by the owner alone', async () => {
    const d = dir()
    const c = new Credentials(d)
    await c.setPassword('li.na', 'correct horse battery')
    const text = readFileSync(join(d, 'credentials.json'), 'utf8')
    expect(text).not.toContain('correct horse')
    expect(text).toMatch(/"hash": "scrypt\$32768,8,1\$/)
    expect(statSync(join(d, 'credentials.json')).mode & 0o777).toBe(0o600)
    expect(await c.checkPassword('li.na', 'correct horse battery')).toBe(true)
    expect(await c.checkPassword('li.na', 'correct horse batterY')).toBe(false)
    expect(await c.checkPassword('nobody', 'correct horse battery')).toBe(false)
    await expect(c.setPassword('li.na', 'short')).rejects.toThrow(/at least 10/)
  })

  it('salts: the same password hashes differently for two people', async () => {
    const c = new Credentials(dir())
    await c.setPassword('a', 'same password 1')
    await c.setPassword('b', 'same password 1')
    const f = JSON.parse(readFileSync(c.path, 'utf8'))
    expect(f.passwords.a.hash).not.toBe(f.passwords.b.hash)
  })

  it('issues API tokens that can be listed and revoked, and stores only their hash', () => {
    const c = new Credentials(dir())
    const { id, token } = c.createToken('level3', ['engineer'], 'li.na')
    // mwt_{id}_{secret}: the secret is base64url and may itself hold "_"
    const secret = token.slice(`mwt_${id}_`.length)
    expect(secret).toHaveLength(43)
    expect(readFileSync(c.path, 'utf8')).not.toContain(secret)
    expect(c.checkToken(token)).toMatchObject({ id, name: 'level3', roles: ['engineer'] })
    expect(c.checkToken(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toBeUndefined()
    expect(c.checkToken('mwt_nonsense')).toBeUndefined()
    expect(c.listTokens()).toEqual([expect.objectContaining({ id, name: 'level3' })])
    expect(c.listTokens()[0]).not.toHaveProperty('hash')
    expect(c.revokeToken(id)).toBe(true)
    expect(c.checkToken(token)).toBeUndefined()
    expect(c.revokeToken(id)).toBe(false)
  })

  it('sees changes another process (the admin command) makes to the file', async () => {
    const d = dir()
    const service = new Credentials(d)
    const cli = new Credentials(d)
    const { token } = cli.createToken('scada', ['manager'], 'cli')
    await new Promise((r) => setTimeout(r, 20)) // a new mtime
    expect(service.checkToken(token)).toBeDefined()
  })

  it('checks device credentials and what each device may publish for', async () => {
    const c = new Credentials(dir())
    await c.setDevice('gw-stand3', 'a long device secret!', ['tcm1'], ['stand3'])
    expect(await c.checkDevice('gw-stand3', 'a long device secret!')).toMatchObject({ lines: ['tcm1'], equipment: ['stand3'] })
    expect(await c.checkDevice('gw-stand3', 'wrong')).toBeUndefined()
    expect(c.devices()['gw-stand3']).not.toHaveProperty('hash')
    expect(c.removeDevice('gw-stand3')).toBe(true)
    expect(await c.checkDevice('gw-stand3', 'a long device secret!')).toBeUndefined()
  })
})
