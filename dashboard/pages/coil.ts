// The coil page (the URL in a coil's QR code, issue 5): phone-first. First the facts QA needs
// at the coil — ID, grade, size, weight, status, in tolerance or not, alarms during rolling —
// then QA's buttons, the thickness trace, the details, genealogy, inspections and history.
// Signed out, only the public view (ID, grade, size, weight) is shown.
import type { CoilRecord } from '../../coils/model.ts'
import type { ProcessSummary } from '../../coils/summary.ts'
import type { CoilInspection, CoilStatusEntry, Bucket } from '../../store/types.ts'
import { coilTexts, type CoilTexts } from './coil-text.ts'
import { esc, page } from './layout.ts'

/** A coil counts as "in tolerance" when at least this share of its gauged length is. */
export const IN_TOLERANCE_SHARE = 0.99

export interface CoilPageData {
  record: CoilRecord
  summary?: ProcessSummary
  productName?: string
  standard?: string
  tolerance_um?: number
  inspections: CoilInspection[]
  history: CoilStatusEntry[]
  trace: Bucket[]
  timeZone: string
  signedIn?: string
  /** full view (coils:read) */
  full: boolean
  /** may hold, release, inspect (coils:qa) */
  qa: boolean
  csrf?: string
  message?: string
  lang: string
}

const head = `<link rel="stylesheet" href="/assets/coils.css">`
const fmt = (v: number | undefined, digits = 0, unit = '') => (v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(digits)}${unit}`)

// Building an Intl.DateTimeFormat costs about a millisecond, more than rendering the rest of
// the page (measured with a CPU profile of bench/coils.ts): one per time zone, kept.
const formatters = new Map<string, (t: number | undefined) => string>()

export function timeFormatter(timeZone: string) {
  let fn = formatters.get(timeZone)
  if (!fn) {
    const f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    formatters.set(timeZone, (fn = (t: number | undefined) => (t === undefined ? '—' : f.format(new Date(t)))))
  }
  return fn
}

export const sizeText = (r: Pick<CoilRecord, 'targetThickness_mm' | 'width_mm'>) =>
  `${r.targetThickness_mm === undefined ? '?' : r.targetThickness_mm.toFixed(2)} × ${r.width_mm === undefined ? '?' : r.width_mm.toFixed(0)} mm`

export function toleranceVerdict(s: ProcessSummary | undefined, tx: CoilTexts = coilTexts('en')): { ok?: boolean; text: string } {
  const t = s?.thickness
  if (!t) return { text: tx.noThickness }
  if (t.inToleranceShare === undefined) return { text: tx.meanNoTolerance(t.mean_um.toFixed(1)) }
  const ok = t.inToleranceShare >= IN_TOLERANCE_SHARE
  return { ok, text: tx.tolerance(ok, (t.inToleranceShare * 100).toFixed(1), t.target_um!, t.tolerance_um!) }
}

/** The exit thickness over the coil as an inline SVG polyline with target and tolerance lines. */
export function traceSvg(trace: Bucket[], s: ProcessSummary | undefined, tx: CoilTexts = coilTexts('en')): string {
  if (trace.length < 2 || !s) return `<p class="muted">${esc(tx.noTrace)}</p>`
  const target = s.thickness?.target_um
  const tol = s.thickness?.tolerance_um
  const values = trace.flatMap((b) => [b.min, b.max])
  if (target !== undefined && tol !== undefined) values.push(target - tol * 1.5, target + tol * 1.5)
  const lo = Math.min(...values)
  const hi = Math.max(...values)
  const W = 600
  const H = 200
  const x = (t: number) => (((t - s.from) / Math.max(1, s.to - s.from)) * W).toFixed(1)
  const y = (v: number) => (H - ((v - lo) / Math.max(1e-9, hi - lo)) * H).toFixed(1)
  const line = (v: number, cls: string) => `<line class="${cls}" x1="0" x2="${W}" y1="${y(v)}" y2="${y(v)}"/>`
  const limits = target !== undefined && tol !== undefined ? line(target, 'target') + line(target + tol, 'limit') + line(target - tol, 'limit') : ''
  const pts = trace.map((b) => `${x(b.ts)},${y(b.avg)}`).join(' ')
  return `<svg class="trace" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label="exit thickness over the coil, ${lo.toFixed(0)} to ${hi.toFixed(0)} µm">
${limits}<polyline class="thickness" points="${pts}"/></svg>
<p class="muted small">${esc(tx.traceCaption(lo.toFixed(0), hi.toFixed(0), ((s.to - s.from) / 1000).toFixed(0)))}</p>`
}

function qaForms(r: CoilRecord, csrf: string, tx: CoilTexts): string {
  const hidden = `<input type="hidden" name="_csrf" value="${esc(csrf)}">`
  const action = (what: string) => `/api/coils/${encodeURIComponent(r.id)}/${what}`
  const canHold = r.status === 'finished' || r.status === 'released'
  const canRelease = r.status === 'finished' || r.status === 'hold'
  const severity = (v: string) => `<option value="${v}">${esc(tx.severities[v])}</option>`
  return `<section class="qa" aria-label="${esc(tx.qa)}">
${canHold ? `<form class="coil-action" method="post" action="${action('hold')}">${hidden}<label for="reason">${esc(tx.holdReason)}</label><input type="text" id="reason" name="reason" required maxlength="500"><button type="submit" class="hold" id="hold">${esc(tx.hold)}</button></form>` : ''}
${canRelease ? `<form class="coil-action" method="post" action="${action('release')}">${hidden}<button type="submit" class="release" id="release">${esc(tx.release)}</button></form>` : ''}
<details><summary>${esc(tx.recordInspection)}</summary>
<form class="coil-action" method="post" action="${action('inspections')}">${hidden}
<label for="defect">${esc(tx.defect)}</label><input type="text" id="defect" name="defect" required maxlength="200">
<label for="severity">${esc(tx.severity)}</label><select id="severity" name="severity">${['minor', 'major', 'critical'].map(severity).join('')}</select>
<label for="position_m">${esc(tx.position)}</label><input type="number" id="position_m" name="position_m" min="0" step="0.1">
<label for="note">${esc(tx.note)}</label><input type="text" id="note" name="note" maxlength="1000">
<button type="submit">${esc(tx.save)}</button></form></details></section>`
}

/** Why the coil is suspect: each alarm that marked it, linked to every coil that alarm may have touched. */
function suspectFacts(r: CoilRecord, alarms: readonly { id: string; priority: string; equipment: string; sensor: string; raisedAt: number }[], when: (t: number | undefined) => string, tx: CoilTexts): string {
  if (!r.suspectAlarms.length) return ''
  const item = (id: string) => {
    const a = alarms.find((x) => x.id === id)
    const what = a ? `${a.priority} · ${a.equipment} ${a.sensor} · ${when(a.raisedAt)}` : id
    return `<li><a href="/api/alerts/${encodeURIComponent(id)}/coils">${esc(what)}</a></li>`
  }
  return `<dt>${esc(tx.suspect)}</dt><dd id="suspect" class="bad">${esc(tx.suspectWhy)}<ul class="alarms">${r.suspectAlarms.map(item).join('')}</ul></dd>`
}

export function coilPage(d: CoilPageData): string {
  const r = d.record
  const tx = coilTexts(d.lang)
  const when = timeFormatter(d.timeZone)
  const verdict = toleranceVerdict(d.summary, tx)
  const alarms = d.summary?.alarms ?? []
  const facts = `<dl class="facts">
<dt>${esc(tx.grade)}</dt><dd>${esc(r.grade ?? '—')}${d.productName ? `<br><span class="muted">${esc(d.productName)}</span>` : ''}</dd>
<dt>${esc(tx.size)}</dt><dd>${esc(sizeText(r))}</dd>
<dt>${esc(tx.weight)}</dt><dd>${esc(fmt(r.weight_t, 2, ' t'))}</dd>
${d.full ? `<dt>${esc(tx.status)}</dt><dd><span class="status status-${esc(r.status)}" id="status">${esc(tx.statuses[r.status] ?? r.status)}</span>${r.suspectAlarms.length ? ` <span class="suspect">${esc(tx.suspectBadge)}</span>` : ''}${r.statusChange?.reason ? `<br><span class="muted">${esc(r.statusChange.reason)} (${esc(r.statusChange.by ?? '')})</span>` : ''}</dd>
<dt>${esc(tx.thickness)}</dt><dd class="${verdict.ok === false ? 'bad' : verdict.ok ? 'good' : ''}" id="tolerance">${esc(verdict.text)}</dd>
<dt>${esc(tx.alarmsWhileRolled)}</dt><dd>${alarms.length ? `<ul class="alarms">${alarms.map((a) => `<li class="prio-${esc(a.priority)}">${esc(a.priority)} · ${esc(a.equipment)} ${esc(a.sensor)} · ${esc(a.rule)} · ${esc(when(a.raisedAt))}</li>`).join('')}</ul>` : esc(tx.none)}</dd>
${suspectFacts(r, alarms, when, tx)}` : ''}
</dl>`
  if (!d.full) {
    const body = `${head}<h1 class="coil-id">${esc(r.id)}</h1>${facts}
<p><a class="button" href="/login?next=${encodeURIComponent(`/coils/${r.id}`)}">${esc(tx.signInForAll)}</a></p>`
    return page({ title: `${tx.coil} ${r.id}`, body, lang: d.lang, signedIn: d.signedIn })
  }
  const s = d.summary
  const t = s?.thickness
  const stands = s?.stands.length
    ? `<table><thead><tr><th>${esc(tx.stand)}</th><th>${esc(tx.force)}</th><th>${esc(tx.tension)}</th><th>${esc(tx.speed)}</th><th>${esc(tx.vibration)}</th></tr></thead><tbody>${s.stands
        .map((st) => `<tr><td>${esc(st.id)}</td><td>${fmt(st.rollForce_kN?.mean)} / ${fmt(st.rollForce_kN?.max)}</td><td>${fmt(st.tension_kN?.mean, 1)}</td><td>${fmt(st.speed_mps?.mean, 2)}</td><td>${st.vibration ? `${st.vibration.peak_mm_s.toFixed(1)} mm/s · ${esc(tx.zone)} ${esc(st.vibration.zone)}` : '—'}</td></tr>`)
        .join('')}</tbody></table>`
    : ''
  const link = (c: string) => `<a href="/coils/${encodeURIComponent(c)}">${esc(c)}</a>`
  const body = `${head}<h1 class="coil-id">${esc(r.id)}</h1>
${d.message ? `<p class="error" role="alert">${esc(d.message)}</p>` : ''}
${facts}
${d.qa && d.csrf ? qaForms(r, d.csrf, tx) : ''}
<p class="coil-error error" role="alert" hidden></p>
<h2>${esc(tx.thickness)}</h2>${traceSvg(d.trace, s, tx)}
${t ? `<p>${esc(tx.stats.mean)} ${t.mean_um.toFixed(1)} µm · σ ${t.stdDev_um.toFixed(2)} µm · ${esc(tx.stats.min)} ${t.min_um.toFixed(0)} · ${esc(tx.stats.max)} ${t.max_um.toFixed(0)}${t.cpk !== undefined ? ` · Cpk ${t.cpk.toFixed(2)}` : ''}</p>` : ''}
<h2>${esc(tx.howRolled)}</h2>${stands || `<p class="muted">${esc(tx.noSummary)}</p>`}
<h2>${esc(tx.details)}</h2><dl class="details">
<dt>${esc(tx.line)}</dt><dd>${esc(r.line)}</dd><dt>${esc(tx.heat)}</dt><dd>${esc(r.heat ?? '—')}</dd><dt>${esc(tx.hotBand)}</dt><dd>${esc(r.hotBandId ?? '—')}</dd>
<dt>${esc(tx.entry)}</dt><dd>${fmt(r.entryThickness_mm, 2, ' mm')}</dd><dt>${esc(tx.measured)}</dt><dd>${fmt(r.measuredThickness_mm, 3, ' mm')}</dd>
<dt>${esc(tx.length)}</dt><dd>${fmt(r.length_m, 0, ' m')}</dd><dt>${esc(tx.crewShift)}</dt><dd>${esc(r.crew ?? '—')} · ${esc(r.shift ?? '—')}</dd>
<dt>${esc(tx.rolled)}</dt><dd>${esc(when(r.startedAt))} → ${esc(when(r.finishedAt))} (${esc(d.timeZone)})</dd>
${d.standard ? `<dt>${esc(tx.standard)}</dt><dd>${esc(d.standard)}</dd>` : ''}
</dl>
<h2>${esc(tx.genealogy)}</h2><p>${r.splitFrom ? `${esc(tx.splitFrom)} ${link(r.splitFrom)}. ` : ''}${r.children.length ? `${esc(tx.splitInto)} ${r.children.map(link).join(', ')}.` : r.splitFrom ? '' : esc(tx.notSplit)}</p>
<h2>${esc(tx.inspections)}</h2>${d.inspections.length ? `<ul>${d.inspections.map((i) => `<li>${esc(when(i.at))} · ${esc(i.inspector)} · <strong>${esc(tx.severities[i.severity] ?? i.severity)}</strong> ${esc(i.defect)}${i.position_m !== undefined ? ` ${esc(tx.at)} ${i.position_m} m` : ''}${i.note ? ` — ${esc(i.note)}` : ''}</li>`).join('')}</ul>` : `<p class="muted">${esc(tx.noneYet)}</p>`}
<h2>${esc(tx.history)}</h2><ul>${d.history.map((h) => `<li>${esc(when(h.at))} · ${esc(tx.statuses[h.status] ?? h.status)}${h.by ? ` · ${esc(h.by)}` : ''}${h.reason ? ` — ${esc(h.reason)}` : ''}</li>`).join('')}</ul>
<p><a href="/coils/${encodeURIComponent(r.id)}/label">${esc(tx.printLabel)}</a> · <a href="/api/coils/${encodeURIComponent(r.id)}">JSON</a> · <a href="/scan">${esc(tx.scanAnother)}</a></p>
<script src="/assets/coil.js" defer></script>`
  return page({ title: `${tx.coil} ${r.id}`, body, lang: d.lang, signedIn: d.signedIn })
}

/** The page for a code that names no coil: 404, with the reason and a way on. */
export function noSuchCoilPage(reason: string, signedIn?: string, lang = 'en'): string {
  const tx = coilTexts(lang)
  const body = `${head}<h1>${esc(tx.noSuchCoil)}</h1><p class="error" role="alert">${esc(reason)}</p>
<p>${esc(tx.checkLabel)}</p>
<form method="get" action="/scan/resolve"><label for="code">${esc(tx.idOrCode)}</label><input type="text" id="code" name="code" autocapitalize="characters" required><button type="submit">${esc(tx.open)}</button></form>
<p><a href="/scan">${esc(tx.scanLabel)}</a></p>`
  return page({ title: tx.noSuchCoil, body, signedIn, lang })
}
