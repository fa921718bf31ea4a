import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatDigitalLink, gtinCheckDigit, isFailure, normalizeGtin, parseDigitalLinkSegments, type DigitalLink } from './gs1.ts'

// Published GTINs with their check digits (GS1's own examples), not computed by the code under test.
const KNOWN = ['09506000134352', '6291041500213', '96385074', '614141000036', '00012345600012']

const cset82 = fc.stringMatching(/^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/)
const gtin14 = fc.stringMatching(/^[0-9]{13}$/).map((b) => b + gtinCheckDigit(b))
const segmentsOf = (path: string) => path.slice(1).split('/')

describe('GTIN check digit (GS1 General Specifications, mod 10)', () => {
  it.each(KNOWN)('accepts the published GTIN %s and pads it to 14 digits', (g) => {
    expect(normalizeGtin(g)).toEqual({ gtin: g.padStart(14, '0') })
  })

  it('rejects every single-digit change of a valid GTIN', () => {
    fc.assert(
      fc.property(gtin14, fc.nat(13), fc.integer({ min: 1, max: 9 }), (g, pos, delta) => {
        const d = (Number(g[pos]) + delta) % 10
        const bad = g.slice(0, pos) + d + g.slice(pos + 1)
        expect(isFailure(normalizeGtin(bad))).toBe(true)
      }),
    )
  })

  it('makes the weighted sum of all 14 digits (3,1,3,…,1 from the left) a multiple of 10', () => {
    fc.assert(
      fc.property(gtin14, (g) => {
        let sum = 0
        for (let i = 0; i < 14; i++) sum += Number(g[i]) * (i % 2 === 0 ? 3 : 1)
        expect(sum % 10).toBe(0)
      }),
    )
  })

  it.each([
    ['09506000134', 'not 11'],
    ['123456789', 'not 9'],
    ['095060001343520', 'not 15'],
    ['09506000134353', 'check digit 3 (expected 2)'],
    ['0950600013435a', 'digits only'],
    ['', 'digits only'],
  ])('rejects %j with a reason mentioning %s', (g, reason) => {
    const r = normalizeGtin(g)
    expect(isFailure(r) && r.error).toContain(reason)
  })
})

describe('GS1 Digital Link paths', () => {
  it('formats the standard example', () => {
    expect(formatDigitalLink({ gtin: '09506000134352', batch: 'ABC/1', serial: 'C26112510417' })).toEqual({
      path: '/01/09506000134352/10/ABC%2F1/21/C26112510417',
    })
  })

  it('pads a GTIN-13 in the path and leaves optional AIs out', () => {
    expect(formatDigitalLink({ gtin: '6291041500213' })).toEqual({ path: '/01/06291041500213' })
  })

  it('refuses values GS1 cannot carry', () => {
    expect(formatDigitalLink({ gtin: '09506000134352', serial: 'x'.repeat(21) })).toEqual({ error: 'AI 21 is longer than 20 characters' })
    expect(isFailure(formatDigitalLink({ gtin: '09506000134352', batch: 'heat#1' }))).toBe(true)
    expect(isFailure(formatDigitalLink({ gtin: '09506000134352', serial: 'Ä' }))).toBe(true)
    expect(isFailure(formatDigitalLink({ gtin: '09506000134353' }))).toBe(true)
  })

  it('round-trips any GTIN, batch and serial of the GS1 character set 82', () => {
    fc.assert(
      fc.property(gtin14, fc.option(cset82, { nil: undefined }), fc.option(cset82, { nil: undefined }), (gtin, batch, serial) => {
        const link: DigitalLink = { gtin, ...(batch !== undefined && { batch }), ...(serial !== undefined && { serial }) }
        const f = formatDigitalLink(link)
        if (isFailure(f)) throw new Error(f.error)
        // The grammar leaves only letters, digits, "-", "." and "_" unencoded; the rest is %XX.
        expect(f.path).toMatch(/^(\/[A-Za-z0-9._%-]+)+$/)
        expect(parseDigitalLinkSegments(segmentsOf(f.path))).toEqual(link)
      }),
    )
  })

  it('reads lower-case percent escapes and the 1.2 grammar\'s convenience names', () => {
    expect(parseDigitalLinkSegments(['gtin', '09506000134352', 'lot', 'a%2fb', 'ser', 'X1'])).toEqual({
      gtin: '09506000134352',
      batch: 'a/b',
      serial: 'X1',
    })
  })

  it.each([
    [['01', '09506000134352', '21', 'A', '10', 'B'], 'out of order'],
    [['01', '09506000134352', '21', 'A', '21', 'B'], 'appears twice'],
    [['01', '09506000134352', '17', '261231'], 'not a key qualifier'],
    [['01', '09506000134352', '21'], 'pairs'],
    [['21', 'A'], 'no GTIN'],
    [['01', '09506000134352', '21', '%E0%A4%A'], 'percent-encoding'],
    [['01', '09506000134352', '21', '%C3%A4'], 'character set 82'],
    [['01', '09506000134352', '10', ''], 'empty'],
  ])('rejects %j (%s)', (segments, reason) => {
    const r = parseDigitalLinkSegments(segments)
    expect(isFailure(r) && r.error).toContain(reason)
  })
})
