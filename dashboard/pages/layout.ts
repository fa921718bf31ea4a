// The HTML shell of millwatch's server-rendered pages: no inline scripts or styles (the CSP
// forbids them), one stylesheet, the page's language set for screen readers.
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export const esc = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c])

/** The same navigation on every page: the manager's views, then the floor's. */
const NAV = [['/overview', 'Overview'], ['/trends', 'Trends'], ['/live', 'Live'], ['/explorer', 'Explorer'], ['/inbox', 'Alarms'], ['/scan', 'Scan']]

export function page(opts: { title: string; body: string; lang?: string; signedIn?: string; head?: string; wide?: boolean }): string {
  const nav = NAV.map(([href, text]) => `<a href="${href}"${text === opts.title ? ' aria-current="page"' : ''}>${text}</a>`).join('')
  const who = opts.signedIn ? `<a href="/login">${esc(opts.signedIn)}</a>` : '<a href="/login">Sign in</a>'
  return `<!doctype html>
<html lang="${esc(opts.lang ?? 'en')}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)} · millwatch</title>
<link rel="stylesheet" href="/assets/app.css">${opts.head ?? ''}</head>
<body><header class="top"><a href="/"><strong>millwatch</strong></a><nav>${nav}</nav><span class="spacer"></span>${who}</header>
<main${opts.wide ? ' class="wide"' : ''}>${opts.body}</main></body></html>`
}
