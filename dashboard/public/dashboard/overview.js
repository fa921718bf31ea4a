// The manager's overview: one GET /api/kpi/overview for the chosen period, shift and crew
// fills every tile; each tile links the CSV of the KPI endpoint behind it. The choice is kept in
// the URL so a bookmark opens the same view.
;(() => {
  const { app, json, showError, period, watchPeriod, time, num, pct, frac, duration, fill, toLocal } = window.mw
  const $ = (id) => document.getElementById(id)
  const state = (window.mwOverview = { loads: 0 })

  // Restore the view from the URL (?period=7d&crew=B, or a custom from/to).
  const params = new URLSearchParams(location.search)
  for (const id of ['period', 'shift', 'crew']) if (params.get(id) && [...$(id).options].some((o) => o.value === params.get(id))) $(id).value = params.get(id)
  if ($('period').value === 'custom' && params.get('from') && params.get('to')) {
    $('from').value = toLocal(Number(params.get('from')))
    $('to').value = toLocal(Number(params.get('to')))
  }

  function query() {
    const p = period()
    const q = new URLSearchParams({ from: String(Math.floor(p.from)), to: String(Math.ceil(p.to)), line: app.dataset.line })
    if ($('shift').value) q.set('shift', $('shift').value)
    if ($('crew').value) q.set('crew', $('crew').value)
    return q
  }

  function csvLinks(q) {
    const csv = (path, extra = '') => `${path}?${q}${extra}&format=csv`
    const links = {
      production: csv('/api/kpi/production', '&by=hour'),
      quality: csv('/api/kpi/quality'),
      oee: csv('/api/kpi/oee', '&by=hour'),
      alarms: csv('/api/kpi/alarms'),
      worst: csv('/api/kpi/overview'),
    }
    document.querySelectorAll('a.csv[data-csv]').forEach((a) => (a.href = links[a.dataset.csv]))
  }

  function render(k) {
    $('range').textContent = `${time(k.from)} – ${time(k.to)} (${k.timezone})${k.shift ? ', ' + k.shift + ' shifts' : ''}${k.crew ? ', crew ' + k.crew : ''}`
    const p = k.production
    $('tonnage').textContent = num(p.tonnage_t, 1)
    $('coils').textContent = String(p.coils)
    $('avg-speed').textContent = num(p.avgSpeed_mps, 2)
    $('peak-speed').textContent = num(p.peakSpeed_mps, 2)
    $('in-tolerance').textContent = pct(k.quality.inTolerancePct)
    fill('grades', k.quality.byGrade.map((g) => [g.grade, String(g.coils), num(g.tonnage_t, 1), pct(g.inTolerancePct), num(g.cpk, 2)]))
      .querySelectorAll('tr').forEach((tr, i) => tr.classList.toggle('bad', k.quality.byGrade[i].cpk != null && k.quality.byGrade[i].cpk < 1.33))
    for (const f of ['oee', 'availability', 'performance', 'quality']) $(f).textContent = frac(k.oee[f])
    const a = k.alarms
    $('alarms-total').textContent = `${a.total} (${num(a.per10min, 2)} / 10 min)`
    $('mtta').textContent = duration(a.mttaMs)
    $('mttr').textContent = duration(a.mttrMs)
    // EEMUA 191: priorities near 5 % high, 15 % medium, 80 % low.
    const v = a.priority && a.priority.vsTarget
    $('priority').textContent = v ? 'Priorities: ' + ['high', 'medium', 'low'].map((b) => `${b} ${num(v[b].pct, 0)} % (target ${v[b].targetPct} %)`).join(' · ') : ''
    // About one alarm per 10 minutes per operator is manageable; more than 10 in 10 minutes is a flood.
    fill('areas', a.perArea.map((r) => [r.area, String(r.total), num(r.per10min, 2), String(r.maxPer10min), String(r.floods)]))
      .querySelectorAll('tr').forEach((tr, i) => tr.classList.toggle('bad', a.perArea[i].per10min > 1 || a.perArea[i].floods > 0))
    fill('worst', k.worstEquipment.map((w) => [w.line, w.equipment, String(w.alarms)]))
  }

  let latest = 0
  async function load() {
    const mine = ++latest // a slower, older answer must not overwrite a newer choice
    const q = query()
    const keep = new URLSearchParams({ period: $('period').value })
    if ($('period').value === 'custom') keep.set('from', q.get('from')), keep.set('to', q.get('to'))
    for (const id of ['shift', 'crew']) if ($(id).value) keep.set(id, $(id).value)
    history.replaceState(null, '', '?' + keep)
    csvLinks(q)
    try {
      const k = await json('/api/kpi/overview?' + q)
      if (mine !== latest) return
      render(k)
      showError()
      state.loads++
    } catch (err) {
      showError(err)
    }
  }

  watchPeriod(load)
  $('shift').addEventListener('change', load)
  $('crew').addEventListener('change', load)
  load()
  // A live overview: the current shift and the last hours move on by themselves.
  setInterval(() => $('period').value !== 'custom' && load(), 60_000)
})()
