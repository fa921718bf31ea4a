// The manager's pages (issue 6): overview, trends, drill-down into one period, the line's live
// view and the sensor explorer. The server sends the frame of each page with what the scripts
// need to know (plant time zone, line, shifts, crews) as data attributes; the scripts in
// dashboard/public fetch the figures from the documented API, so every number on a page is one
// another plant system can fetch too.
import { esc } from './layout.ts'

export interface PageData {
  timezone: string
  line: string
  shifts: readonly string[]
  crews: readonly string[]
  /** the current shift's start (epoch ms), for the "current shift" period */
  shiftStart: number
}

const data = (d: PageData, extra: Record<string, string | number> = {}) =>
  Object.entries({ tz: d.timezone, line: d.line, shiftStart: d.shiftStart, shifts: d.shifts.join(','), crews: d.crews.join(','), ...extra })
    .map(([k, v]) => ` data-${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}="${esc(v)}"`)
    .join('')

const options = (values: readonly string[], all: string) => `<option value="">${all}</option>` + values.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join('')

const periodSelect = (withShift: boolean) => `<label>Period <select id="period">
${withShift ? '<option value="shift">current shift</option>' : ''}<option value="8h">last 8 h</option><option value="24h" selected>last 24 h</option>
<option value="7d">last 7 days</option><option value="30d">last 30 days</option><option value="custom">custom…</option></select></label>
<label class="custom">From <input type="datetime-local" id="from"></label><label class="custom">To <input type="datetime-local" id="to"></label>`

const tile = (id: string, title: string, inner: string, csv = true) =>
  `<section class="tile" id="tile-${id}"><h2>${title}${csv ? ` <a class="csv" data-csv="${id}" href="#">CSV</a>` : ''}</h2>${inner}</section>`

const figure = (id: string, label: string) => `<div class="fig"><span class="label">${label}</span><span class="value" id="${id}">–</span></div>`

const table = (id: string, heads: string[]) => `<table id="${id}"><thead><tr>${heads.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody></tbody></table>`

export function overviewBody(d: PageData): string {
  return `<h1>How the mill is doing</h1>
<form class="controls" id="app"${data(d)}>${periodSelect(true)}
<label>Shift <select id="shift">${options(d.shifts, 'all shifts')}</select></label>
<label>Crew <select id="crew">${options(d.crews, 'all crews')}</select></label></form>
<p class="muted" id="range"></p><p class="error" id="error" role="alert"></p>
<div class="tiles">
${tile('production', 'Production', figure('tonnage', 'tonnage (t)') + figure('coils', 'coils') + figure('avg-speed', 'average speed (m/s)') + figure('peak-speed', 'peak speed (m/s)'))}
${tile('quality', 'Thickness quality', figure('in-tolerance', 'length in tolerance') + table('grades', ['grade', 'coils', 't', 'in tol.', 'Cpk']))}
${tile('oee', 'OEE', figure('oee', 'OEE') + figure('availability', 'availability') + figure('performance', 'performance') + figure('quality', 'quality'))}
${tile('alarms', 'Alarm load (EEMUA 191)', figure('alarms-total', 'alarms') + figure('mtta', 'mean time to acknowledge') + figure('mttr', 'mean time to recover') + `<p class="muted" id="priority"></p>` + table('areas', ['area', 'alarms', 'per 10 min', 'peak 10 min', 'floods']))}
${tile('worst', 'Ten worst pieces of equipment', table('worst', ['line', 'equipment', 'alarms']))}
</div>
<script src="/assets/dashboard/mw.js" defer></script><script src="/assets/dashboard/overview.js" defer></script>`
}

export function trendsBody(d: PageData): string {
  return `<h1>Trends</h1>
<form class="controls" id="app"${data(d)}>${periodSelect(false)}
<label>Per <select id="by"><option value="hour">hour</option><option value="shift" selected>shift</option><option value="day">day</option></select></label>
<a class="csv" id="csv" href="#">CSV</a></form>
<p class="muted">Click a point or a row to see the coils and alarms of that period.</p><p class="error" id="error" role="alert"></p>
<div class="charts"><figure><figcaption>Tonnage (t)</figcaption><div class="chart" id="chart-tonnage"></div></figure>
<figure><figcaption>OEE and its factors</figcaption><div class="chart" id="chart-oee"></div></figure>
<figure><figcaption>Length in tolerance and alarms</figcaption><div class="chart" id="chart-quality"></div></figure></div>
${table('rows', ['period', 'crew', 't', 'coils', 'avg m/s', 'in tol.', 'OEE', 'alarms'])}
<h2>Crews compared <a class="csv" id="csv-crew" href="#">CSV</a></h2>${table('crews', ['crew', 't', 'coils', 'avg m/s', 'in tol.', 'OEE', 'alarms'])}
<h2>Shifts compared</h2>${table('shifts', ['shift', 't', 'coils', 'avg m/s', 'in tol.', 'OEE', 'alarms'])}
<script src="/assets/uplot.min.js" defer></script><script src="/assets/dashboard/mw.js" defer></script><script src="/assets/dashboard/trends.js" defer></script>`
}

export function drillBody(d: PageData, from: number, to: number): string {
  return `<h1 id="title">Coils and alarms</h1><div id="app"${data(d, { from, to })}></div>
<p class="muted" id="range"></p><p class="error" id="error" role="alert"></p>
<h2>Coils finished <a class="csv" id="csv-coils" href="#">CSV</a></h2>${table('coils', ['coil', 'grade', 'finished', 'crew', 't', 'thickness µm (target)', 'in tol.'])}
<h2>Alarms</h2>${table('alarms', ['raised', 'cleared', 'equipment', 'sensor', 'priority', 'value'])}
<script src="/assets/dashboard/mw.js" defer></script><script src="/assets/dashboard/drill.js" defer></script>`
}

export function liveBody(d: PageData): string {
  return `<h1>Live: <span id="line-name">${esc(d.line)}</span></h1><div id="app"${data(d)}></div>
<p class="muted"><span id="live-status">connecting…</span> · coil on the mill: <a id="coil-now" href="#">–</a></p><p class="error" id="error" role="alert"></p>
<div class="live-grid" id="stands"></div>
<h2>Active alarms</h2><ul class="alarms" id="alarms"></ul>
<script src="/assets/uplot.min.js" defer></script><script src="/assets/dashboard/mw.js" defer></script><script src="/assets/dashboard/live.js" defer></script>`
}

export function explorerBody(d: PageData): string {
  return `<h1>Sensor explorer</h1>
<form class="controls" id="app"${data(d)}><label>Sensor <select id="sensor"></select></label><button type="button" id="add">Add</button>
${periodSelect(false).replace('<option value="8h">', '<option value="1h">last 1 h</option><option value="8h">')}
<button type="button" id="reset">Whole period</button></form>
<ul class="chosen" id="chosen"></ul><p class="muted" id="range">Drag across the chart to zoom in.</p><p class="error" id="error" role="alert"></p>
<div class="chart tall" id="chart"></div>
<script src="/assets/uplot.min.js" defer></script><script src="/assets/dashboard/mw.js" defer></script><script src="/assets/dashboard/explorer.js" defer></script>`
}
