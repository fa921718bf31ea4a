// GS1 identifiers for coil labels: the GTIN check digit and GS1 Digital Link URI paths
// `/01/{GTIN-14}[/10/{batch}][/21/{serial}]` (GS1 Digital Link URI Syntax 1.2 and its
// ABNF grammar). A coil is a serialised instance of a trade item: the GTIN names the product
// (the grade), AI 10 carries the heat as batch/lot, AI 21 the coil ID as serial.
// Nothing here throws on input: every parser returns a value or `{ error }` with a reason.

export type Failure = { error: string }
export const isFailure = (r: object): r is Failure => 'error' in r

/** GS1 General Specifications, AI (10) batch/lot and AI (21) serial: 1–20 characters of CSET 82. */
export const AI_VALUE_MAX = 20
/** The "GS1 AI encodable character set 82" (GS1 General Specifications, character sets). */
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/

export const isCset82 = (s: string): boolean => CSET82.test(s)

/** GS1 General Specifications, standard check digit calculation: mod 10, weights 3,1,3,… from the right. */
export function gtinCheckDigit(body: string): number {
  let sum = 0
  for (let i = body.length - 1, w = 3; i >= 0; i--, w = 4 - w) sum += (body.charCodeAt(i) - 48) * w
  return (10 - (sum % 10)) % 10
}

/**
 * A GTIN-8, -12, -13 or -14 → its 14-digit form (left-padded with zeros, as GS1 Digital Link
 * writes it), or the reason it is not one.
 */
export function normalizeGtin(text: string): { gtin: string } | Failure {
  if (!/^[0-9]+$/.test(text)) return { error: 'a GTIN is digits only' }
  if (![8, 12, 13, 14].includes(text.length)) return { error: `a GTIN has 8, 12, 13 or 14 digits, not ${text.length}` }
  const gtin = text.padStart(14, '0')
  const expected = gtinCheckDigit(gtin.slice(0, 13))
  if (Number(gtin[13]) !== expected) return { error: `wrong GTIN check digit ${gtin[13]} (expected ${expected})` }
  return { gtin }
}

export interface DigitalLink {
  /** GTIN-14 */
  gtin: string
  /** AI 10, batch/lot: the heat number */
  batch?: string
  /** AI 21, serial: the coil ID */
  serial?: string
}

/**
 * GS1 Digital Link URI Syntax 1.2, grammar XCHAR: of the 82 characters only digits, letters,
 * "-", "." and "_" appear as themselves; every other one is percent-encoded ("/" → %2F).
 * Callers pass values already checked against CSET 82 (all ASCII).
 */
function encodeAiValue(value: string): string {
  let out = ''
  for (const ch of value) out += /[A-Za-z0-9._-]/.test(ch) ? ch : `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
  return out
}

function checkAiValue(ai: string, value: string): string | undefined {
  if (value.length === 0) return `AI ${ai} is empty`
  if (value.length > AI_VALUE_MAX) return `AI ${ai} is longer than ${AI_VALUE_MAX} characters`
  if (!isCset82(value)) return `AI ${ai} holds a character outside the GS1 character set 82`
  return undefined
}

/** The path `/01/{gtin}[/10/{batch}][/21/{serial}]`, or why these parts cannot make one. */
export function formatDigitalLink(link: DigitalLink): { path: string } | Failure {
  const g = normalizeGtin(link.gtin)
  if (isFailure(g)) return g
  let path = `/01/${g.gtin}`
  for (const [ai, value] of [['10', link.batch], ['21', link.serial]] as const) {
    if (value === undefined) continue
    const bad = checkAiValue(ai, value)
    if (bad) return { error: bad }
    path += `/${ai}/${encodeAiValue(value)}`
  }
  return { path }
}

// Key qualifiers of a GTIN in the order the grammar fixes: gtin-path = gtin-comp [cpv] [lot] [ser].
// The 1.2 grammar's convenience names ("gtin", "lot", "ser") are read too, never written.
const QUALIFIERS: Record<string, { ai: '22' | '10' | '21'; rank: number }> = {
  '22': { ai: '22', rank: 1 }, cpv: { ai: '22', rank: 1 },
  '10': { ai: '10', rank: 2 }, lot: { ai: '10', rank: 2 },
  '21': { ai: '21', rank: 3 }, ser: { ai: '21', rank: 3 },
}

/** Percent-decodes one path segment; malformed escapes and non-ASCII bytes are an error. */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/**
 * Parses the GS1 part of a path: segments starting with `01` (or `gtin`). Query string and
 * fragment must already be removed. AI 22 (consumer product variant) is accepted and dropped:
 * coils have none, but a general GS1 scanner app may add it.
 */
export function parseDigitalLinkSegments(segments: readonly string[]): DigitalLink | Failure {
  if (segments.length < 2 || (segments[0] !== '01' && segments[0] !== 'gtin')) return { error: 'no GTIN (AI 01) at the start of the path' }
  if (segments.length % 2 !== 0) return { error: 'the path must be pairs of AI and value' }
  const gtinText = decodeSegment(segments[1])
  if (gtinText === undefined) return { error: 'malformed percent-encoding in the GTIN' }
  const g = normalizeGtin(gtinText)
  if (isFailure(g)) return g
  const link: DigitalLink = { gtin: g.gtin }
  let lastRank = 0
  for (let i = 2; i < segments.length; i += 2) {
    const q = QUALIFIERS[segments[i]]
    if (!q) return { error: `AI "${segments[i].slice(0, 8)}" is not a key qualifier of a GTIN (expected 10 or 21)` }
    if (q.rank === lastRank) return { error: `AI ${q.ai} appears twice` }
    if (q.rank < lastRank) return { error: `AI ${q.ai} is out of order (GS1 order: 22, 10, 21)` }
    lastRank = q.rank
    const value = decodeSegment(segments[i + 1])
    if (value === undefined) return { error: `malformed percent-encoding in AI ${q.ai}` }
    const bad = checkAiValue(q.ai, value)
    if (bad) return { error: bad }
    if (q.ai === '10') link.batch = value
    else if (q.ai === '21') link.serial = value
  }
  return link
}
