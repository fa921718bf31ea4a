// The shift report as a page a manager prints or forwards (issue 6): one A4 sheet with the
// shift's tonnage, quality, OEE, downtime, alarms and worst equipment, times in plant time.
// No inline styles or scripts (CSP): report.css holds the screen and print rules.
import type { ShiftReport } from '../kpi/report.ts'
import { localTime } from '../kpi/periods.ts'
import type { StoredShiftReport } from '../../store/types.ts'
import { esc, page } from './layout.ts'

const HEAD = '<link rel="stylesheet" href="/assets/report.css">'
const n = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '–' : v.toFixed(digits))
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)} %`)
const min = (ms: number | null | undefined) => (ms === null || ms === undefined ? '–' : `${(ms / 60_000).toFixed(1)} min`)

function table(head: string[], rows: (string | number)[][], numeric: boolean[] = []): string {
  if (!rows.length) return '<p class="none">none</p>'
  const th = head.map((h, i) => `<th${numeric[i] ? ' class="num"' : ''}>${esc(h)}</th>`).join('')
  const tr = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric[i] ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('')
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`
}

export function shiftReportPage(stored: StoredShiftReport, signedIn?: string): string {
  const r = stored.report as unknown as ShiftReport
  const tz = r.timezone
  const title = `Shift report ${r.shift.date} ${r.shift.id}${r.shift.crew ? ` · crew ${r.shift.crew}` : ''}`
  const figures: [string, string][] = [
    ['Tonnage', `${n(r.production.tonnage_t, 1)} t`],
    ['Coils', String(r.production.coils)],
    ['Mean speed while running', `${n(r.production.avgSpeed_mps, 2)} m/s`],
    ['Peak speed', `${n(r.production.peakSpeed_mps, 2)} m/s`],
    ['Thickness in tolerance', r.quality.inTolerancePct === null ? '–' : `${r.quality.inTolerancePct.toFixed(1)} %`],
    ['OEE', pct(r.oee.oee)],
    ['Availability · performance · quality', `${pct(r.oee.availability)} · ${pct(r.oee.performance)} · ${pct(r.oee.quality)}`],
    ['Downtime', `${n(r.downtimeMinutes, 0)} min${r.oee.noDataMinutes ? ` (no readings: ${n(r.oee.noDataMinutes, 0)} min)` : ''}`],
    ['Alarms', `${r.alarms.total} (${n(r.alarms.per10min, 2)} per 10 min)`],
    ['Mean time to acknowledge · to recover', `${min(r.alarms.mttaMs)} · ${min(r.alarms.mttrMs)}`],
  ]
  const body = `${HEAD}
<article class="report">
<h1>${esc(title)}</h1>
<p class="meta">${esc(r.lineName)} · ${esc(localTime(r.shift.start, tz))} – ${esc(localTime(r.shift.end, tz))} (${esc(tz)}) · generated ${esc(localTime(r.generatedAt, tz))}
<span class="screen-only"> · <a href="/api/reports/${encodeURIComponent(stored.id)}">JSON</a> · <a href="/reports">all reports</a></span></p>
<section><h2>Figures</h2><dl class="figures">${figures.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl></section>
<section><h2>Quality per grade</h2>${table(['Grade', 'Coils', 'Tonnage t', 'In tolerance %', 'Cpk', 'Ppk'],
    r.quality.byGrade.map((g) => [g.grade, g.coils, n(g.tonnage_t, 1), n(g.inTolerancePct, 1), n(g.cpk, 2), n(g.ppk, 2)]), [false, true, true, true, true, true])}</section>
<section><h2>Hours</h2>${table(['Hour', 'Tonnage t', 'Coils', 'Run min', 'Stop min', 'OEE', 'Alarms'],
    r.hours.map((h) => [h.label.slice(11), n(h.tonnage_t, 1), h.coils, n(h.runMinutes, 0), n(h.stopMinutes, 0), pct(h.oee), h.alarms]), [false, true, true, true, true, true, true])}</section>
<section><h2>Alarms per area (EEMUA 191)</h2>${table(['Area', 'Alarms', 'Per 10 min', 'Floods', 'Chattering', 'Stale'],
    r.alarms.perArea.map((a) => [a.area, a.total, n(a.per10min, 2), a.floods, a.chattering, a.stale]), [false, true, true, true, true, true])}</section>
<section><h2>Worst equipment</h2>${table(['Equipment', 'Area', 'Alarms'], r.worstEquipment.map((e) => [`${e.line}/${e.equipment}`, e.area ?? '', e.alarms]), [false, false, true])}</section>
</article>`
  return page({ title, body, signedIn })
}

export function shiftReportListPage(list: readonly Omit<StoredShiftReport, 'report'>[], timezone: string, signedIn?: string): string {
  const rows = list.map((r) => `<tr><td><a href="/reports/${encodeURIComponent(r.id)}">${esc(r.date)} ${esc(r.shiftId)}</a></td><td>${esc(r.crew ?? '')}</td><td>${esc(r.line)}</td><td>${esc(localTime(r.start, timezone))} – ${esc(localTime(r.end, timezone))}</td></tr>`)
  const body = `${HEAD}<article class="report"><h1>Shift reports</h1>
${rows.length ? `<table><thead><tr><th>Shift</th><th>Crew</th><th>Line</th><th>Time (${esc(timezone)})</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '<p class="none">No shift report yet: one is made a few minutes after each shift ends.</p>'}
</article>`
  return page({ title: 'Shift reports', body, signedIn })
}
