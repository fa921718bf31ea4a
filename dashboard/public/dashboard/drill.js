// Drill-down into one period (an hour, a shift, a day picked on the trends page): the coils
// that finished in it (GET /api/kpi/coils), each linking to its coil page, and the alarms that
// were active at any moment of it (GET /api/alerts/during).
;(async () => {
  const { app, json, showError, time, num, pct, fill, td, link } = window.mw
  const from = Number(app.dataset.from)
  const to = Number(app.dataset.to)
  const q = `from=${from}&to=${to}&line=${encodeURIComponent(app.dataset.line)}`
  document.getElementById('title').textContent = `Coils and alarms, ${time(from)} – ${time(to)}`
  document.getElementById('range').textContent = `${app.dataset.line} · times in ${app.dataset.tz}`
  document.getElementById('csv-coils').href = `/api/kpi/coils?${q}&format=csv`
  try {
    const [{ coils }, { alarms }] = await Promise.all([json('/api/kpi/coils?' + q), json('/api/alerts/during?' + q)])
    const rows = fill('coils', coils.map((c) => {
      const t = c.thickness || {}
      const share = t.inToleranceShare == null ? null : t.inToleranceShare * 100
      return [td(link('/coils/' + encodeURIComponent(c.id), c.id)), c.grade || '', time(c.finishedAt), [c.crew, c.shift].filter(Boolean).join(' · '),
        num(c.weight_t, 1), t.mean_um == null ? '–' : `${num(t.mean_um, 1)} (${num(t.target_um, 0)})`, pct(share)]
    }))
    rows.querySelectorAll('tr').forEach((tr, i) => {
      const s = coils[i].thickness && coils[i].thickness.inToleranceShare
      tr.classList.toggle('bad', s != null && s < 0.95)
    })
    if (!coils.length) fill('coils', [['No coil finished in this period.']])
    fill('alarms', alarms.map((a) => [time(a.raisedAt), a.clearedAt ? time(a.clearedAt) : 'still active', a.equipment, a.sensor, a.priority, a.value == null ? '' : num(a.value, 2)]))
      .querySelectorAll('tr').forEach((tr, i) => tr.classList.toggle('bad', alarms[i].priority === 'critical' || alarms[i].priority === 'high'))
    if (!alarms.length) fill('alarms', [['No alarm was active in this period.']])
    window.mwDrill = { coils: coils.length, alarms: alarms.length }
  } catch (err) {
    showError(err)
  }
})()
