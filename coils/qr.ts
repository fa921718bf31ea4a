// QR labels for coils (issue 5, "QR labels"): the URL a label carries and its images.
// The URL is PUBLIC_URL + the coil's code path (coils/code-path.ts): a GS1 Digital Link when
// the grade has a GTIN, the short form otherwise. Both open the coil's page.
import QRCode from 'qrcode'
import { coilCodePath } from './code-path.ts'

/**
 * Error-correction level H: up to ~30 % of the symbol's codewords can be lost and rebuilt
 * (ISO/IEC 18004 levels: L 7 %, M 15 %, Q 25 %, H 30 %). A coil label lives on the outer wrap of
 * a steel coil: rolling oil and scale dust smear it, crane C-hooks and strapping scratch it,
 * the wrap's curvature bends the module grid and a laminated tag throws glare. That is the
 * damage H exists for; its cost, a denser symbol (version 6 instead of 4 for a 70-character
 * URL), is paid with a slightly larger print on a label that has room for it.
 */
export const QR_ERROR_CORRECTION = 'H' as const
/** ISO/IEC 18004 asks for a light quiet zone 4 modules wide around the symbol. */
export const QR_QUIET_ZONE = 4
/**
 * Pixels per module in the PNG: 10 px is 0.85 mm at 300 dpi and 1.25 mm at a 203 dpi label
 * printer, so a version-6 symbol with its quiet zone (49 modules) prints 42–61 mm wide,
 * which a phone reads from half a metre to a metre.
 */
export const QR_MODULE_PX = 10

export interface QrCoil {
  id: string
  /** the heat, carried as GS1 AI 10 (batch/lot) in the GS1 form */
  heat?: string
}

/** The URL in a coil's QR code. `publicUrl` may end with "/" and may carry a path. */
export function qrUrl(publicUrl: string, coil: QrCoil, product?: { gtin?: string }): string {
  return publicUrl.replace(/\/+$/, '') + coilCodePath(coil.id, { gtin: product?.gtin, heat: coil.heat })
}

const COLOR = { dark: '#000000ff', light: '#ffffffff' } // opaque white: never trust the label stock

/** The code as SVG, scalable for the printable label page (size it in mm with CSS). */
export function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: QR_ERROR_CORRECTION, margin: QR_QUIET_ZONE, color: COLOR })
}

export interface QrPngOptions {
  /** pixels per module, 2–40; default QR_MODULE_PX */
  modulePx?: number
}

/** The code as PNG. */
export function qrPng(url: string, opts: QrPngOptions = {}): Promise<Buffer> {
  const scale = Math.min(40, Math.max(2, Math.round(opts.modulePx ?? QR_MODULE_PX)))
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: QR_ERROR_CORRECTION, margin: QR_QUIET_ZONE, scale, color: COLOR })
}
