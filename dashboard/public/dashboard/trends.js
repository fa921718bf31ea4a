// Trends: GET /api/kpi/production per hour, shift or day drawn as charts and a table; crews
// (by=crew) and shifts (one overview per shift) compared side by side. A click on a point or a
// row opens the drill-down of that period: its coils and alarms.
;(() => {
  const { app, json, showError, period, watchPeriod, time, num, pct, frac, fill, chart } = window.mw
  const $ = (id) => document.getElementById(id)
  const state = (window.mwTrends = { rows: [] })
  let charts = []

  // A bookmark opens the same view: ?period=7d&by=day
  const params = new URLSearchParams(location.search)
  for (const id of ['period', 'by']) if ([...$(id).options].some((o) => o.value === params.get(id))) $(id).value = params.get(id)

  const drill = (r) => `/drill?from=${r.from}&to=${r.to}`
  /** A period worth a look: OEE well under the period's average, or thickness out of tolerance. */
  function badRows(rows) {
    const oees = rows.map((r) => r.oee).filter((v) => v != null)
    const mean = oees.reduce((a, b) => a + b, 0) / (oees.length || 1)
    return rows.map((r) => (r.oee != null && r.oee < mean - 0.1) || (r.inTolerancePct != null && r.inTolerancePct < 95))
  }

  function draw(rows) {
    for (const u of charts) u.destroy(), window.mwCharts.splice(window.mwCharts.indexOf(u), 1)
    const x = rows.map((r) => r.from / 1000)
    const click = (u) => u.over.addEventListener('click', () => u.cursor.idx != null && (location.href = drill(rows[u.cursor.idx])))
    const common = { height: 200, legend: { live: false }, cursor: { drag: { x: false, y: false } }, hooks: { ready: [click] } }
    const bars = uPlot.paths.bars({ size: [0.7, 40] })
    charts = [
      chart($('chart-tonnage'), { ...common, series: [{}, { label: 'tonnage (t)', fill: '#0b5cad88', stroke: '#0b5cad', paths: bars, points: { show: false } }] }, [x, rows.map((r) => r.tonnage_t)]),
      chart($('chart-oee'), {
        ...common,
        scales: { pct: { range: [0, 100] } },
        axes: [{}, { scale: 'pct', label: '%' }],
        series: [{}, ...[['oee', '#111', 2.5], ['availability', '#0b5cad', 1.5], ['performance', '#c77700', 1.5], ['quality', '#2e7d32', 1.5]].map(([k, stroke, width]) => ({ label: k, scale: 'pct', stroke, width }))],
      }, [x, ...['oee', 'availability', 'performance', 'quality'].map((k) => rows.map((r) => (r[k] == null ? null : r[k] * 100)))]),
      chart($('chart-quality'), {
        ...common,
        scales: { '%': { range: [0, 100] } },
        axes: [{}, { scale: '%', label: 'in tolerance %' }, { scale: 'n', label: 'alarms', side: 1, grid: { show: false } }],
        series: [{}, { label: 'in tolerance (%)', scale: '%', stroke: '#2e7d32', width: 2 }, { label: 'alarms', scale: 'n', stroke: '#b00020', fill: '#b0002033', paths: bars, points: { show: false } }],
      }, [x, rows.map((r) => r.inTolerancePct), rows.map((r) => r.alarms)]),
    ]
  }

  const cells = (r) => [num(r.tonnage_t, 1), String(r.coils), num(r.avgSpeed_mps, 2), pct(r.inTolerancePct), frac(r.oee), String(r.alarms)]

  let latest = 0
  async function load() {
    const mine = ++latest // a slower, older answer must not overwrite a newer choice
    const p = period()
    const q = new URLSearchParams({ from: String(Math.floor(p.from)), to: String(Math.ceil(p.to)), line: app.dataset.line })
    const by = $('by').value
    if ($('period').value !== 'custom') history.replaceState(null, '', '?' + new URLSearchParams({ period: $('period').value, by }))
    $('csv').href = `/api/kpi/production?${q}&by=${by}&format=csv`
    $('csv-crew').href = `/api/kpi/production?${q}&by=crew&format=csv`
    try {
      const [rows, crews, shifts] = await Promise.all([
        json(`/api/kpi/production?${q}&by=${by}`).then((b) => b.rows),
        json(`/api/kpi/production?${q}&by=crew`).then((b) => b.rows),
        Promise.all((app.dataset.shifts || '').split(',').filter(Boolean).map((s) => json(`/api/kpi/overview?${q}&shift=${encodeURIComponent(s)}`).then((o) => ({ shift: s, o })))),
      ])
      if (mine !== latest) return
      state.rows = rows
      draw(rows)
      const bad = badRows(rows)
      const body = fill('rows', rows.map((r) => [r.label || time(r.from), r.crew || '', ...cells(r)]))
      body.querySelectorAll('tr').forEach((tr, i) => {
        tr.dataset.href = drill(rows[i])
        tr.classList.toggle('bad', bad[i])
        tr.addEventListener('click', () => (location.href = tr.dataset.href))
      })
      fill('crews', crews.map((r) => [r.label || r.key, ...cells(r)]))
      fill('shifts', shifts.map(({ shift, o }) => [shift, num(o.production.tonnage_t, 1), String(o.production.coils), num(o.production.avgSpeed_mps, 2), pct(o.quality.inTolerancePct), frac(o.oee.oee), String(o.alarms.total)]))
      showError()
    } catch (err) {
      showError(err)
    }
  }

  watchPeriod(load)
  $('by').addEventListener('change', load)
  load()
})()
