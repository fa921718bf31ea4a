// The line's live view: a table of every piece of equipment's key signals, updated in place
// from GET /api/live/stream (server-sent events), charts of the last minutes per signal with
// the plant model's limits drawn, the active alarms (GET /api/alerts/stream) and the coil on
// the mill (GET /api/coils?status=rolling).
;(async () => {
  const { app, json, showError, num, clock, chart, link } = window.mw
  const line = app.dataset.line
  const KEY = ['speed_mps', 'strip_speed_mps', 'roll_force_kN', 'tension_kN', 'entry_tension_kN', 'exit_tension_kN', 'motor_current_A', 'vibration_mm_s', 'bearing_temp_C', 'thickness_dev_um']
  const CHARTS = ['speed_mps', 'roll_force_kN', 'tension_kN', 'vibration_mm_s', 'bearing_temp_C', 'thickness_dev_um']
  const WINDOW_S = 300
  const COLORS = ['#0b5cad', '#c77700', '#2e7d32', '#6a1b9a', '#00838f', '#5d4037', '#ad1457']
  const state = (window.mwLive = { frames: 0, lastFrameAt: 0 })

  const plant = await json('/api/plant')
  const model = plant.lines.find((l) => l.id === line)
  document.getElementById('line-name').textContent = model.name
  const sensorOf = new Map()
  for (const e of model.equipment) for (const s of e.sensors) sensorOf.set(e.id + '/' + s.id, { ...s, equipment: e })
  const columns = KEY.filter((k) => model.equipment.some((e) => e.sensors.some((s) => s.id === k)))

  // The table: one row per piece of equipment, one cell per key signal it has.
  const grid = document.getElementById('stands')
  const table = document.createElement('table')
  table.className = 'live'
  const unitOf = (k) => [...sensorOf.values()].find((s) => s.id === k).unit
  table.innerHTML = '<thead><tr><th></th>' + columns.map((c) => `<th>${c.replace(/_[^_]+$/, '').replace(/_/g, ' ')}<br><small>${unitOf(c)}</small></th>`).join('') + '</tr></thead>'
  const tbody = table.createTBody()
  const cells = new Map()
  for (const e of model.equipment) {
    const tr = tbody.insertRow()
    tr.insertCell().textContent = e.name
    for (const c of columns) {
      const td = tr.insertCell()
      td.className = 'num'
      if (sensorOf.has(e.id + '/' + c)) cells.set(e.id + '/' + c, td)
    }
  }
  grid.append(table)

  // The charts: one per signal, a line per piece of equipment that has it, the limits dashed.
  const plots = []
  const charts = document.createElement('div')
  charts.className = 'charts'
  grid.after(charts)
  for (const sensor of CHARTS) {
    const keys = model.equipment.filter((e) => sensorOf.has(e.id + '/' + sensor)).map((e) => e.id + '/' + sensor)
    if (!keys.length) continue
    const limits = sensorOf.get(keys[0]).limits || {}
    const lims = ['low', 'high'].filter((k) => limits[k] != null)
    const fig = document.createElement('figure')
    fig.innerHTML = `<figcaption>${sensor.replace(/_[^_]+$/, '').replace(/_/g, ' ')} (${sensorOf.get(keys[0]).unit})</figcaption><div class="chart"></div>`
    charts.append(fig)
    const series = [{}, ...keys.map((k, i) => ({ label: sensorOf.get(k).equipment.name, stroke: COLORS[i % COLORS.length], width: 1.5 })),
      ...lims.map((k) => ({ label: 'limit ' + k, stroke: '#b00020', dash: [6, 4], width: 1.5, points: { show: false } }))]
    const data = [[], ...keys.map(() => []), ...lims.map(() => [])]
    const u = chart(fig.querySelector('.chart'), { height: 180, series, legend: { show: true, live: false } }, data)
    plots.push({ u, keys, lims: lims.map((k) => limits[k]), data })
  }

  /** The minutes before the page opened, from the store (5 s averages), put before the live points. */
  async function prefill(p) {
    const to = Date.now()
    const from = to - WINDOW_S * 1000
    const results = await Promise.all(p.keys.map((k) => {
      const [equipment, sensor] = k.split('/')
      return json(`/api/series?line=${encodeURIComponent(line)}&equipment=${equipment}&sensor=${sensor}&from=${from}&to=${to}&step=5s`)
    }))
    const first = p.data[0].length ? p.data[0][0] : Infinity
    const xs = [...new Set(results.flatMap((r) => r.points.map((b) => b.ts / 1000)))].filter((t) => t < first).sort((a, b) => a - b)
    const at = new Map(xs.map((t, i) => [t, i]))
    const before = [xs, ...results.map((r) => {
      const ys = new Array(xs.length).fill(null)
      for (const b of r.points) if (at.has(b.ts / 1000)) ys[at.get(b.ts / 1000)] = b.avg
      return ys
    }), ...p.lims.map((v) => xs.map(() => v))]
    p.data.forEach((s, i) => s.unshift(...before[i]))
    p.u.setData(p.data)
  }
  Promise.all(plots.map(prefill)).catch(showError)

  function push(frameTs, latest) {
    const t = Math.round(frameTs / 1000)
    for (const p of plots) {
      const x = p.data[0]
      if (x.length && x[x.length - 1] >= t) continue
      x.push(t)
      p.keys.forEach((k, i) => p.data[i + 1].push(latest.has(k) ? latest.get(k)[1] : null))
      p.lims.forEach((v, i) => p.data[p.keys.length + 1 + i].push(v))
      while (x[0] < t - WINDOW_S) p.data.forEach((s) => s.shift())
      p.u.setData(p.data)
    }
  }

  const latest = new Map()
  function apply(frame) {
    for (const [k, v] of Object.entries(frame.values)) {
      latest.set(k, v)
      const td = cells.get(k)
      if (!td) continue
      td.textContent = num(v[1], Math.abs(v[1]) >= 100 ? 0 : 1)
      const lim = sensorOf.get(k).limits || {}
      td.classList.toggle('over', (lim.high != null && v[1] > lim.high) || (lim.low != null && v[1] < lim.low))
    }
    state.frames++
    state.lastFrameAt = Date.now()
    document.getElementById('live-status').textContent = 'updated ' + clock(frame.sentAt)
    push(frame.sentAt, latest)
  }
  const live = new EventSource('/api/live/stream?line=' + encodeURIComponent(line))
  live.addEventListener('values', (e) => apply(JSON.parse(e.data)))
  live.addEventListener('error', () => (document.getElementById('live-status').textContent = 'reconnecting…'))

  // Active alarms: the same stream the phone inbox uses.
  const alarms = new Map()
  const rank = { critical: 0, high: 1, medium: 2, low: 3 }
  function renderAlarms() {
    const list = [...alarms.values()].filter((a) => a.line === line && a.state !== 'normal').sort((a, b) => rank[a.priority] - rank[b.priority] || (b.raisedAt || 0) - (a.raisedAt || 0))
    const ul = document.getElementById('alarms')
    ul.replaceChildren(...list.map((a) => {
      const li = document.createElement('li')
      li.className = a.priority
      li.textContent = `${a.priority} · ${a.equipment} · ${a.sensor} ${a.value != null ? num(a.value, 2) : ''} — ${a.state}, since ${clock(a.raisedAt)}`
      return li
    }))
    if (!list.length) ul.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'No active alarms.', className: 'muted' }))
  }
  const alarmStream = new EventSource('/api/alerts/stream')
  alarmStream.addEventListener('snapshot', (e) => { alarms.clear(); for (const a of JSON.parse(e.data)) alarms.set(a.key, a); renderAlarms() })
  alarmStream.addEventListener('changes', (e) => { for (const a of JSON.parse(e.data)) alarms.set(a.key, a); renderAlarms() })

  async function coilNow() {
    try {
      const { coils } = await json(`/api/coils?line=${encodeURIComponent(line)}&status=rolling&limit=1`)
      const a = document.getElementById('coil-now')
      const c = coils[0]
      a.replaceWith(c ? Object.assign(link('/coils/' + encodeURIComponent(c.id), `${c.id} · ${c.grade || ''} ${c.targetThickness_mm ? c.targetThickness_mm + ' mm' : ''}`), { id: 'coil-now' }) : Object.assign(document.createElement('span'), { id: 'coil-now', textContent: 'none' }))
    } catch (err) {
      showError(err)
    }
  }
  coilNow()
  setInterval(coilNow, 5000)
})().catch((err) => window.mw.showError(err))
