// Shared by the manager's pages: plant-time formatting, JSON fetching, periods, and a uPlot
// wrapper that sizes charts to their box (phones too) and keeps every chart in window.mwCharts
// (the browser tests read the drawn data from there). Plain browser JS, no build step.
window.mw = (() => {
  const app = document.getElementById('app')
  const tz = (app && app.dataset.tz) || 'UTC'
  const charts = (window.mwCharts = [])
  const fmtDate = new Intl.DateTimeFormat(undefined, { timeZone: tz, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
  const fmtClock = new Intl.DateTimeFormat(undefined, { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
  const wall = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })

  const time = (ms) => (ms == null ? '–' : fmtDate.format(new Date(ms)))
  const clock = (ms) => (ms == null ? '–' : fmtClock.format(new Date(ms)))
  const num = (v, digits = 1) => (v == null || Number.isNaN(v) ? '–' : Number(v).toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits }))
  /** The KPI API gives OEE factors as fractions (0.93) and in-tolerance shares as percentages (93). */
  const pct = (v) => (v == null ? '–' : num(v, 1) + ' %')
  const frac = (v) => (v == null ? '–' : num(v * 100, 1) + ' %')
  const duration = (ms) => {
    if (ms == null) return '–'
    const s = Math.round(ms / 1000)
    return s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : num(s / 3600, 1) + ' h'
  }

  /** The plant's UTC offset at `ms` (ms), from the plant-local wall clock. */
  function offset(ms) {
    const p = {}
    for (const x of wall.formatToParts(new Date(ms))) p[x.type] = Number(x.value)
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000
  }
  /** A datetime-local value read as plant time → epoch ms (and back). */
  const fromLocal = (v) => {
    const asUtc = Date.parse(v + 'Z')
    return asUtc - offset(asUtc - offset(asUtc))
  }
  const toLocal = (ms) => new Date(ms + offset(ms)).toISOString().slice(0, 16)

  const SPANS = { '1h': 3600e3, '8h': 8 * 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 }
  /** The period chosen in #period (and #from/#to when custom). */
  function period() {
    const sel = document.getElementById('period')
    const to = Date.now()
    if (sel.value === 'shift') return { from: Number(app.dataset.shiftStart), to }
    if (sel.value === 'custom') {
      const f = document.getElementById('from').value
      const t = document.getElementById('to').value
      if (f && t && fromLocal(f) < fromLocal(t)) return { from: fromLocal(f), to: fromLocal(t) }
      return { from: to - SPANS['24h'], to }
    }
    return { from: to - SPANS[sel.value], to }
  }
  function watchPeriod(onChange) {
    const sel = document.getElementById('period')
    const show = () => document.querySelectorAll('.custom').forEach((l) => (l.hidden = sel.value !== 'custom'))
    sel.addEventListener('change', () => {
      if (sel.value === 'custom' && !document.getElementById('from').value) {
        const p = { to: Date.now(), from: Date.now() - SPANS['24h'] }
        document.getElementById('from').value = toLocal(p.from)
        document.getElementById('to').value = toLocal(p.to)
      }
      show()
      onChange()
    })
    document.querySelectorAll('.custom input').forEach((i) => i.addEventListener('change', onChange))
    show()
  }

  async function json(url) {
    const r = await fetch(url, { headers: { accept: 'application/json' } })
    const body = await r.json().catch(() => ({}))
    if (!r.ok) throw new Error(body.message || r.status + ' ' + url)
    return body
  }
  function showError(err) {
    const el = document.getElementById('error')
    if (el) el.textContent = err ? String(err.message || err) : ''
  }

  function td(text, cls) {
    const c = document.createElement('td')
    if (text instanceof Node) c.append(text)
    else c.textContent = text
    if (cls) c.className = cls
    return c
  }
  function fill(tableId, rows) {
    const body = document.querySelector('#' + tableId + ' tbody')
    body.replaceChildren(...rows.map((cells) => {
      const tr = document.createElement('tr')
      tr.append(...cells.map((c) => (c instanceof HTMLElement && c.tagName === 'TD' ? c : td(c))))
      return tr
    }))
    return body
  }
  const link = (href, text) => Object.assign(document.createElement('a'), { href, textContent: text })

  const fmtDay = new Intl.DateTimeFormat(undefined, { timeZone: tz, month: 'short', day: 'numeric' })
  const fmtHm = new Intl.DateTimeFormat(undefined, { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
  /** x ticks in plant time, 24-hour clock: days when the ticks are a day or more apart. */
  const xTicks = (u, splits, _i, _space, incr) => splits.map((s) => (incr >= 86400 ? fmtDay : fmtHm).format(new Date(s * 1000)))
  /** y ticks short enough for a phone: 12500 → 12.5k. */
  const yTicks = (u, splits) => splits.map((v) => (v == null ? '' : Math.abs(v) >= 1e4 ? num(v / 1000, 0) + 'k' : Math.abs(v) >= 1000 ? num(v / 1000, 1) + 'k' : String(+v.toFixed(3))))

  /** A uPlot chart that fills `el`'s width; times on the x axis in the plant's zone. */
  function chart(el, opts, data) {
    const width = () => Math.max(240, el.clientWidth)
    const axes = opts.axes || [{}, {}]
    const all = { width: width(), height: opts.height || 220, tzDate: (s) => uPlot.tzDate(new Date(s * 1e3), tz), ...opts,
      axes: axes.map((a, i) => (i === 0 ? { values: xTicks, ...a } : { values: yTicks, size: 50, ...a })) }
    const u = new uPlot(all, data, el)
    new ResizeObserver(() => u.width !== width() && u.setSize({ width: width(), height: u.height })).observe(el)
    charts.push(u)
    return u
  }

  return { tz, app, time, clock, num, pct, frac, duration, fromLocal, toLocal, period, watchPeriod, json, showError, fill, td, link, chart }
})()
