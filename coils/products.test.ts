import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { isFailure, normalizeGtin } from './gs1.ts'
import { bandTolerance_um, EMPTY_CATALOG, parseProducts, productFor, productName, readProductsFile, thicknessTolerance_um } from './products.ts'

const shipped = fileURLToPath(new URL('../config/products.yaml', import.meta.url))

const classes = {
  tight: { bands: [{ upTo_mm: 0.5, plusMinus_um: 10 }, { upTo_mm: 1.0, plusMinus_um: 20 }] },
}

describe('config/products.yaml as shipped', () => {
  const { catalog, problems } = readProductsFile(shipped)

  it('is valid', () => {
    expect(problems).toEqual([])
    expect(catalog!.products.size).toBeGreaterThan(0)
  })

  it('has valid GTINs, ascending bands and both languages for every product', () => {
    for (const p of catalog!.products.values()) {
      if (p.gtin !== undefined) expect(isFailure(normalizeGtin(p.gtin))).toBe(false)
      const ups = p.tolerance.bands.map((b) => b.upTo_mm)
      expect(ups).toEqual([...ups].sort((a, b) => a - b))
      expect(Object.keys(p.names)).toEqual(expect.arrayContaining(['en', 'zh-CN']))
    }
  })

  it('covers every grade the simulator rolls', () => {
    for (const g of ['SPCC', 'DC01', 'SPCD', 'DC03', 'DC04']) expect(productFor(catalog!, g)).toBeDefined()
  })
})

describe('parseProducts', () => {
  it('lists every problem at once, each with its place', () => {
    const { catalog, problems } = parseProducts(
      {
        toleranceClasses: {
          ...classes,
          backwards: { bands: [{ upTo_mm: 1, plusMinus_um: 10 }, { upTo_mm: 0.5, plusMinus_um: 5 }] },
          empty: { bands: [] },
        },
        defaultTolerance: 'nope',
        products: {
          A: { name: 'A', gtin: 9506000134352, tolerance: 'tight' },
          B: { name: 'B', gtin: '09506000134353', tolerance: 'tight' },
          C: { name: { 'zh-CN': '丙' }, tolerance: 'tight' },
          D: { name: 'D', tolerance: 'missing' },
          E: { name: 'E', tolerance: 'tight', colour: 'blue' },
          G: { name: 'G', gtin: '09506000134352', tolerance: 'tight' },
          F: { name: 'F', gtin: '9506000134352', tolerance: 'tight' },
        },
      },
      'products.yaml',
    )
    expect(catalog).toBeUndefined()
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^products\.yaml toleranceClasses\.backwards\.bands\.1\.upTo_mm: bands must ascend/),
        expect.stringMatching(/^products\.yaml toleranceClasses\.empty\.bands: at least one band/),
        expect.stringMatching(/^products\.yaml defaultTolerance: no tolerance class "nope"/),
        expect.stringMatching(/^products\.yaml products\.A\.gtin: must be a quoted string/),
        expect.stringMatching(/^products\.yaml products\.B\.gtin: wrong GTIN check digit 3 \(expected 2\)/),
        expect.stringMatching(/^products\.yaml products\.C\.name/),
        expect.stringMatching(/^products\.yaml products\.D\.tolerance: no tolerance class "missing"/),
        expect.stringMatching(/^products\.yaml products\.E.*colour/),
        expect.stringMatching(/^products\.yaml products\.F\.gtin: 09506000134352 is already the GTIN of G$/),
      ]),
    )
    expect(problems).toHaveLength(9)
  })

  it('reports a YAML syntax error with its line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'products-'))
    const file = join(dir, 'products.yaml')
    writeFileSync(file, 'products:\n  A: { name: A\n')
    const { problems } = readProductsFile(file)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/products\.yaml:\d+:\d+: /)
  })

  it('treats a missing file as no products', () => {
    expect(readProductsFile(join(tmpdir(), 'no-such-dir', 'products.yaml'))).toEqual({ catalog: EMPTY_CATALOG, problems: [] })
  })
})

describe('tolerances', () => {
  const { catalog } = parseProducts({
    toleranceClasses: { ...classes, loose: { bands: [{ upTo_mm: 3, plusMinus_um: 100 }] } },
    defaultTolerance: 'loose',
    products: { SPCC: { name: { en: 'Commercial', 'zh-CN': '普通' }, gtin: '6291041500213', tolerance: 'tight' } },
  })

  it('picks the band by target thickness, bounds inclusive', () => {
    const tight = catalog!.products.get('SPCC')!.tolerance
    expect(bandTolerance_um(tight, 0.3)).toBe(10)
    expect(bandTolerance_um(tight, 0.5)).toBe(10)
    expect(bandTolerance_um(tight, 0.1 + 0.4)).toBe(10) // 0.5000000000000001
    expect(bandTolerance_um(tight, 0.51)).toBe(20)
    expect(bandTolerance_um(tight, 1.01)).toBeUndefined()
    expect(bandTolerance_um(tight, 0)).toBeUndefined()
  })

  it('falls back to the default class for an unknown grade', () => {
    expect(thicknessTolerance_um(catalog!, 'SPCC', 0.8)).toBe(20)
    expect(thicknessTolerance_um(catalog!, 'XYZ', 0.8)).toBe(100)
    expect(thicknessTolerance_um(catalog!, undefined, 0.8)).toBe(100)
    expect(thicknessTolerance_um(catalog!, 'SPCC', undefined)).toBeUndefined()
    expect(thicknessTolerance_um(EMPTY_CATALOG, 'SPCC', 0.8)).toBeUndefined()
  })

  it('stores the GTIN as GTIN-14 and names in the reader\'s language', () => {
    const p = catalog!.products.get('SPCC')!
    expect(p.gtin).toBe('06291041500213')
    expect(productName(p, 'zh-CN')).toBe('普通')
    expect(productName(p, 'de')).toBe('Commercial')
  })
})
