// Printable coil labels (issue 5, "QR labels"): the QR code beside the human-readable coil ID,
// grade, size and weight, so the label still works when the code is smeared past reading.
// One label per page, or a sheet with every coil of a shift. Print CSS is in coils.css.
import type { CoilRecord } from '../../coils/model.ts'
import { esc, page } from './layout.ts'
import { sizeText, timeFormatter } from './coil.ts'

export interface LabelData {
  record: CoilRecord
  /** the QR code as SVG markup (coils/qr.ts) */
  svg: string
  url: string
}

const head = `<link rel="stylesheet" href="/assets/coils.css">`

function label(l: LabelData): string {
  const r = l.record
  return `<article class="label">
<div class="label-qr">${l.svg}</div>
<div class="label-text"><p class="label-id">${esc(r.id)}</p>
<p>${esc(r.grade ?? '—')} · ${esc(sizeText(r))}</p>
<p>${r.weight_t === undefined ? '—' : `${r.weight_t.toFixed(2)} t`}${r.heat ? ` · heat ${esc(r.heat)}` : ''}</p>
<p class="label-url">${esc(l.url)}</p></div></article>`
}

export function labelPage(l: LabelData, signedIn?: string): string {
  const body = `${head}<p class="no-print"><a href="/coils/${encodeURIComponent(l.record.id)}">← coil ${esc(l.record.id)}</a> · print this page (Ctrl+P)</p>${label(l)}`
  return page({ title: `Label ${l.record.id}`, body, signedIn })
}

export function labelSheetPage(opts: { labels: LabelData[]; shift: { shiftId: string; crew?: string; date: string; start: number; end: number }; timeZone: string; signedIn?: string }): string {
  const when = timeFormatter(opts.timeZone)
  const s = opts.shift
  const prev = `/coils/labels?at=${s.start - 1}`
  const next = `/coils/labels?at=${s.end}`
  const body = `${head}<h1 class="no-print">Labels · ${esc(s.date)} ${esc(s.shiftId)} shift${s.crew ? ` · crew ${esc(s.crew)}` : ''}</h1>
<p class="no-print muted">${esc(when(s.start))} → ${esc(when(s.end))} · ${opts.labels.length} coils · <a href="${prev}">previous shift</a> · <a href="${next}">next shift</a></p>
<div class="sheet">${opts.labels.map(label).join('\n') || '<p>No coils started in this shift.</p>'}</div>`
  return page({ title: `Labels ${s.date} ${s.shiftId}`, body, signedIn: opts.signedIn })
}
