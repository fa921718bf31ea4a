// The path inside a coil's QR code, and its resolution back to a coil when scanned.
// Two shapes resolve (issue 5, "QR labels"):
//   GS1 Digital Link  /01/{GTIN-14}[/10/{heat}]/21/{coilId}   when the grade has a GTIN
//   short form        /c/{coilId}                              otherwise
// Both may sit under a path prefix (PUBLIC_URL may be https://plant.example/millwatch, and
// GS1 Digital Link allows any path before the primary key), and may carry a query string
// (GS1 data attributes such as ?17=…) or a fragment, which are ignored.
import { decodeSegment, formatDigitalLink, isCset82, isFailure, parseDigitalLinkSegments, AI_VALUE_MAX, type Failure } from './gs1.ts'
import { isCoilId } from './coil-id.ts'

/** Longer input is refused before any work: a real coil URL is under 200 characters. */
export const MAX_CODE_LENGTH = 2048

export interface CodeTarget {
  coilId: string
  /** GTIN-14, when the code was a GS1 Digital Link */
  gtin?: string
  /** AI 10 (the heat), when present */
  batch?: string
  form: 'gs1' | 'short'
}

/**
 * The path for a coil's code. GS1 form only when a GTIN is given and the coil ID fits AI 21
 * (≤ 20 characters); a heat that does not fit AI 10 is left out rather than spoiling the code.
 */
export function coilCodePath(coilId: string, opts: { gtin?: string; heat?: string } = {}): string {
  if (opts.gtin !== undefined && coilId.length <= AI_VALUE_MAX && isCset82(coilId)) {
    const heatFits = opts.heat !== undefined && opts.heat.length > 0 && opts.heat.length <= AI_VALUE_MAX && isCset82(opts.heat)
    const dl = formatDigitalLink({ gtin: opts.gtin, batch: heatFits ? opts.heat : undefined, serial: coilId })
    if (!isFailure(dl)) return dl.path
  }
  return `/c/${encodeURIComponent(coilId)}`
}

/** Strips scheme and authority from an absolute http(s) URL, query and fragment from anything. */
function pathOf(input: string): string {
  let s = input
  const cut = s.search(/[?#]/)
  if (cut >= 0) s = s.slice(0, cut)
  const abs = /^https?:\/\/[^/]*/i.exec(s)
  if (abs) s = s.slice(abs[0].length) || '/'
  return s
}

const NOT_A_CODE = 'not a coil code: expected /c/{coilId} or a GS1 Digital Link /01/{GTIN}[/10/{heat}]/21/{coilId}'

/**
 * A scanned URL or request path → the coil it names, or why it names none. Never throws:
 * the HTTP route turns `{ error }` into the "no such coil" page.
 */
export function resolveCodePath(input: unknown): CodeTarget | Failure {
  if (typeof input !== 'string') return { error: 'the code is not text' }
  if (input.length > MAX_CODE_LENGTH) return { error: `the code is longer than ${MAX_CODE_LENGTH} characters` }
  const path = pathOf(input.trim())
  if (!path.startsWith('/')) return { error: NOT_A_CODE }
  const segments = path.slice(1).split('/')
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop() // one trailing "/"
  if (segments.length === 1 && segments[0] === '') return { error: NOT_A_CODE }
  if (segments.some((s) => s === '')) return { error: 'empty path segment ("//")' }
  const n = segments.length

  if (n >= 2 && segments[n - 2] === 'c') {
    const id = decodeSegment(segments[n - 1])
    if (id === undefined) return { error: 'malformed percent-encoding in the coil ID' }
    if (!isCoilId(id)) return { error: `"${clip(id)}" is not a coil ID` }
    return { coilId: id, form: 'short' }
  }

  // The primary key is the first "01" that leaves AI/value pairs to the end of the path.
  let firstError: string | undefined
  for (let i = 0; i < n - 1; i++) {
    if (segments[i] !== '01' && segments[i] !== 'gtin') continue
    if ((n - i) % 2 !== 0) {
      firstError ??= 'the GS1 path must be pairs of AI and value'
      continue
    }
    const link = parseDigitalLinkSegments(segments.slice(i))
    if (isFailure(link)) {
      firstError ??= link.error
      continue
    }
    if (link.serial === undefined) return { error: 'the code names a product (GTIN) but no coil: AI 21 (serial) is missing' }
    if (!isCoilId(link.serial)) return { error: `serial "${clip(link.serial)}" is not a coil ID` }
    return { coilId: link.serial, gtin: link.gtin, ...(link.batch !== undefined && { batch: link.batch }), form: 'gs1' }
  }
  return { error: firstError ?? NOT_A_CODE }
}

/** Echoing input back in a reason is useful, echoing a megabyte of it is not. */
const clip = (s: string) => (s.length > 24 ? `${s.slice(0, 24)}…` : s)
