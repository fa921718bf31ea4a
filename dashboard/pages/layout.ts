// The HTML shell of millwatch's server-rendered pages: no inline scripts or styles (the CSP
// forbids them), one stylesheet, the page's language set for screen readers.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export const esc = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c])

export function page(opts: { title: string; body: string; lang?: string; signedIn?: string }): string {
  const who = opts.signedIn ? `<a href="/login">${esc(opts.signedIn)}</a>` : '<a href="/login">Sign in</a>'
  return `<!doctype html>
<html lang="${esc(opts.lang ?? 'en')}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)} · millwatch</title>
<link rel="stylesheet" href="/assets/app.css"></head>
<body><header class="top"><a href="/"><strong>millwatch</strong></a><span class="spacer"></span>${who}</header>
<main>${opts.body}</main></body></html>`
}
