// The QR round trip through an independent decoder: zxing-cpp (the zxing-wasm build), not
// the qrcode package that encodes. Its .wasm is read from node_modules, never fetched.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import QRCode from 'qrcode'
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader'
import { beforeAll, describe, expect, it } from 'vitest'
import { resolveCodePath } from './code-path.ts'
import { QR_MODULE_PX, QR_QUIET_ZONE, qrPng, qrSvg, qrUrl } from './qr.ts'

beforeAll(() => {
  const wasm = readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'))
  const wasmBinary = wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer
  prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true })
})

type Image = Parameters<typeof readBarcodes>[0]
const decode = (image: Image) => readBarcodes(image, { formats: ['QRCode'], tryHarder: true })

/** The module grid (quiet zone included) drawn by an SVG from the qrcode package: rows of `h` runs. */
function svgModules(svg: string): boolean[][] {
  const size = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)![1])
  const grid = Array.from({ length: size }, () => new Array<boolean>(size).fill(false))
  const d = /<path[^>]*stroke="#000000"[^>]*d="([^"]+)"/.exec(svg)![1]
  let x = 0
  let y = 0
  for (const [, op, a, b] of d.matchAll(/([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
    if (op === 'M') (x = Number(a)), (y = Number(b))
    else if (op === 'm') (x += Number(a)), (y += Number(b))
    else for (let i = 0; i < Number(a); i++) grid[Math.floor(y)][x++] = true
  }
  return grid
}

function render(grid: boolean[][], px = 4) {
  const size = grid.length * px
  const data = new Uint8ClampedArray(new ArrayBuffer(size * size * 4)).fill(255)
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) if (grid[Math.floor(y / px)][Math.floor(x / px)]) data.fill(0, (y * size + x) * 4, (y * size + x) * 4 + 3)
  // Node has no ImageData; the decoder takes any object of its shape (zxing-wasm README).
  return { data, width: size, height: size, colorSpace: 'srgb' } as Image
}

/** An oil smear: a dark band across `share` of the symbol's rows, clear of the finder patterns. */
function smear(grid: boolean[][], share: number): boolean[][] {
  const n = grid.length - 2 * QR_QUIET_ZONE
  const rows = Math.round(n * share)
  const y0 = QR_QUIET_ZONE + Math.floor((n - rows) / 2)
  return grid.map((row, y) => (y < y0 || y >= y0 + rows ? row : row.map((m, x) => m || (x >= QR_QUIET_ZONE + 9 && x < QR_QUIET_ZONE + n))))
}

const GTIN = '09506000134352'

describe('QR labels', () => {
  it('puts the GS1 Digital Link in the code when the product has a GTIN, and it decodes to the same URL', async () => {
    const url = qrUrl('http://127.0.0.1:3000/', { id: 'C26112510417', heat: '26A01234' }, { gtin: GTIN })
    expect(url).toBe(`http://127.0.0.1:3000/01/${GTIN}/10/26A01234/21/C26112510417`)
    const png = await qrPng(url)
    const [code, ...more] = await decode(png)
    expect(more).toEqual([])
    expect(code.isValid).toBe(true)
    expect(code.text).toBe(url)
    expect(code.ecLevel).toBe('H')
    expect(resolveCodePath(code.text)).toEqual({ coilId: 'C26112510417', gtin: GTIN, batch: '26A01234', form: 'gs1' })
    // PNG width from the IHDR chunk: (modules + 2 × quiet zone) × pixels per module.
    const modules = 17 + 4 * Number(code.version)
    expect(png.readUInt32BE(16)).toBe((modules + 2 * QR_QUIET_ZONE) * QR_MODULE_PX)
  })

  it('uses the short form without a GTIN, under a PUBLIC_URL with a path', async () => {
    const url = qrUrl('https://plant.example/millwatch', { id: 'C26112510418' })
    expect(url).toBe('https://plant.example/millwatch/c/C26112510418')
    const [code] = await decode(await qrPng(url, { modulePx: 3 }))
    expect(code.text).toBe(url)
    expect(resolveCodePath(code.text)).toEqual({ coilId: 'C26112510418', form: 'short' })
  })

  it('draws the same code as SVG, with its quiet zone', async () => {
    const url = qrUrl('http://127.0.0.1:3000', { id: 'C1', heat: 'H/1' }, { gtin: GTIN })
    const svg = await qrSvg(url)
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/)
    const grid = svgModules(svg)
    for (const row of [...grid.slice(0, QR_QUIET_ZONE), ...grid.slice(-QR_QUIET_ZONE)]) expect(row.some(Boolean)).toBe(false)
    const [code] = await decode(render(grid))
    expect(code.text).toBe(url)
    expect(resolveCodePath(code.text)).toMatchObject({ coilId: 'C1', batch: 'H/1' })
  })

  it('survives an oil smear across 15 % of the symbol\'s rows, which a level-M code of the same URL does not', async () => {
    const url = qrUrl('http://127.0.0.1:3000', { id: 'C26112510417', heat: '26A01234' }, { gtin: GTIN })
    const ours = smear(svgModules(await qrSvg(url)), 0.15)
    const [code] = await decode(render(ours))
    expect(code?.text).toBe(url)

    const levelM = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: QR_QUIET_ZONE })
    expect(await decode(render(svgModules(levelM)))).toHaveLength(1) // readable when clean
    expect((await decode(render(smear(svgModules(levelM), 0.15)))).filter((c) => c.isValid)).toEqual([])
  })
})
