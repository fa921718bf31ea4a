// The reader's language (DESIGN.md "The reader's language and the plant's clock"): pages and
// notifications speak English and Simplified Chinese. A signed-in person's `language` in
// config/people.yaml wins; otherwise the browser's Accept-Language (RFC 9110 §12.5.4, with
// q-values) picks; English when neither names a language millwatch speaks.
import { LANGUAGES, type Language } from './people.ts'

/** A catalogue: one table of texts per language, English complete, the others checked against it. */
export type Catalog<T> = { readonly [L in Language]: T }

/** The language for this reader: their own setting, else the best of Accept-Language we speak. */
export function pickLanguage(acceptLanguage: string | undefined, personal?: Language): Language {
  if (personal && (LANGUAGES as readonly string[]).includes(personal)) return personal
  let best: Language = 'en'
  let bestQ = 0
  for (const part of String(acceptLanguage ?? '').slice(0, 500).split(',')) {
    const [tag, ...params] = part.trim().split(';')
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    const q = qParam ? Number(qParam.slice(2)) : 1
    if (!Number.isFinite(q) || q <= bestQ) continue
    const lang = languageOf(tag.trim())
    if (lang) (best = lang), (bestQ = q)
  }
  return best
}

/** zh, zh-CN, zh-Hans, zh-SG → zh-CN (Simplified); zh-TW, zh-HK, zh-Hant are not Simplified Chinese. */
function languageOf(tag: string): Language | undefined {
  const t = tag.toLowerCase()
  if (t === 'en' || t.startsWith('en-')) return 'en'
  if (t === 'zh' || t === 'zh-cn' || t === 'zh-sg' || t.startsWith('zh-hans')) return 'zh-CN'
  return undefined
}
