import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { coilCodePath, MAX_CODE_LENGTH, resolveCodePath } from './code-path.ts'
import { gtinCheckDigit, isFailure } from './gs1.ts'

const GTIN = '09506000134352'
const coilId = fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/).filter((s) => !/^\.+$/.test(s))
const heat = fc.option(fc.stringMatching(/^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,24}$/), { nil: undefined })
const gtin = fc.option(fc.stringMatching(/^[0-9]{13}$/).map((b) => b + gtinCheckDigit(b)), { nil: undefined })

describe('coilCodePath', () => {
  it('is the GS1 form when the product has a GTIN', () => {
    expect(coilCodePath('C26112510417', { gtin: GTIN, heat: '26A01234' })).toBe(`/01/${GTIN}/10/26A01234/21/C26112510417`)
  })

  it('leaves out a heat that AI 10 cannot carry, and falls back to the short form for a long coil ID', () => {
    expect(coilCodePath('C1', { gtin: GTIN, heat: 'H'.repeat(21) })).toBe(`/01/${GTIN}/21/C1`)
    expect(coilCodePath('C'.repeat(21), { gtin: GTIN })).toBe(`/c/${'C'.repeat(21)}`)
    expect(coilCodePath('C1')).toBe('/c/C1')
  })

  it('resolves back to the same coil, with or without a GTIN, under any prefix', () => {
    fc.assert(
      fc.property(coilId, heat, gtin, fc.constantFrom('', 'https://mill.example', 'http://10.0.0.5:3000/millwatch'), (id, h, g, base) => {
        const r = resolveCodePath(base + coilCodePath(id, { gtin: g, heat: h }) + '?17=261231#x')
        if (isFailure(r)) throw new Error(r.error)
        expect(r.coilId).toBe(id)
        const gs1 = g !== undefined && id.length <= 20
        expect(r.form).toBe(gs1 ? 'gs1' : 'short')
        if (gs1) expect(r.gtin).toBe(g)
        if (gs1 && h !== undefined && h.length <= 20) expect(r.batch).toBe(h)
      }),
    )
  })
})

describe('resolveCodePath', () => {
  it('reads both forms', () => {
    expect(resolveCodePath('/c/C26112510417')).toEqual({ coilId: 'C26112510417', form: 'short' })
    expect(resolveCodePath(`/01/${GTIN}/10/26A01234/21/C26112510417`)).toEqual({
      coilId: 'C26112510417',
      gtin: GTIN,
      batch: '26A01234',
      form: 'gs1',
    })
    expect(resolveCodePath(`HTTPS://id.example.com/01/6291041500213/21/X1/`)).toEqual({ coilId: 'X1', gtin: '06291041500213', form: 'gs1' })
  })

  it('never throws on arbitrary input, and either resolves a coil ID or gives a reason', () => {
    const anything = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.webPath(),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.array(fc.constantFrom('01', GTIN, '10', '21', 'c', 'C1', '..', '%', '%2F', '', '?', '#', '/'), { maxLength: 12 }).map((a) => a.join('/')),
      fc.anything(),
    )
    fc.assert(
      fc.property(anything, (input) => {
        const r = resolveCodePath(input)
        if (isFailure(r)) expect(r.error.length).toBeGreaterThan(0)
        else expect(r.coilId).toMatch(/^[A-Za-z0-9_.-]{1,64}$/)
      }),
      { numRuns: 2000 },
    )
  })

  // The fuzz corpus: inputs a scanner, a careless proxy or an attacker may send.
  it.each([
    ['/c/%E0%A4%A', 'percent-encoding'],
    ['/c/%', 'percent-encoding'],
    ['/c/..', 'not a coil ID'],
    ['/c/%2E%2E', 'not a coil ID'],
    ['/c/a%2Fb', 'not a coil ID'],
    ['/c/Ü1', 'not a coil ID'],
    ['/c/C1%00', 'not a coil ID'],
    ['/c/' + 'A'.repeat(65), 'not a coil ID'],
    ['/c//C1', 'empty path segment'],
    ['/' + 'a/'.repeat(2000), `longer than ${MAX_CODE_LENGTH}`],
    [`/01/${GTIN}/10/H1/21/..`, 'not a coil ID'],
    [`/01/09506000134353/21/C1`, 'check digit'],
    [`/01/95060001343/21/C1`, 'not 11'],
    [`/01/${GTIN}`, 'AI 21 (serial) is missing'],
    [`/01/${GTIN}/10/H1`, 'AI 21 (serial) is missing'],
    [`/01/${GTIN}/21/C1/10/H1`, 'out of order'],
    [`/01/${GTIN}/21`, 'pairs'],
    [`/21/C1/01/${GTIN}`, 'AI 21 (serial) is missing'],
    [`/01/${GTIN}/21/${'X'.repeat(21)}`, 'longer than 20'],
    [`/01/${GTIN}/22/V1/10/H1/21/%25`, 'not a coil ID'],
    ['/', 'not a coil code'],
    ['', 'not a coil code'],
    ['C26112510417', 'not a coil code'],
    ['javascript:alert(1)', 'not a coil code'],
    ['/api/coils/C1', 'not a coil code'],
  ])('rejects %j: %s', (input, reason) => {
    const r = resolveCodePath(input)
    expect(isFailure(r) && r.error).toContain(reason)
  })

  it('skips a path prefix that itself looks like AI 01', () => {
    expect(resolveCodePath(`/01/x/01/${GTIN}/21/C1`)).toMatchObject({ coilId: 'C1', gtin: GTIN })
  })
})
