// The sensor explorer: any sensors over any period on one time axis, one y scale per unit.
// The store downsamples (GET /api/series with `step`, chosen so at most ~1,500 buckets come
// back); dragging across the chart zooms in and fetches that span at a finer step. The chosen
// sensors and period live in the URL, so a view can be bookmarked or sent.
;(async () => {
  const { app, json, showError, period, watchPeriod, time, chart } = window.mw
  const MAX_BUCKETS = 1500
  const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000)
  const COLORS = ['#0b5cad', '#c77700', '#2e7d32', '#b00020', '#6a1b9a', '#00838f', '#5d4037', '#ad1457']
  const state = (window.mwExplorer = { requests: [] })

  const plant = await json('/api/plant')
  const units = new Map()
  const select = document.getElementById('sensor')
  for (const l of plant.lines)
    for (const e of l.equipment)
      for (const s of e.sensors) {
        const key = `${l.id}/${e.id}/${s.id}`
        units.set(key, s.unit)
        select.append(new Option(`${l.id} · ${e.name} · ${s.id} (${s.unit})`, key))
      }

  const params = new URLSearchParams(location.search)
  let chosen = params.getAll('s').filter((k) => units.has(k))
  if (!chosen.length) chosen = [...units.keys()].filter((k) => /stand1\/speed_mps$|exit\/thickness_dev_um$/.test(k))
  let zoom = params.has('from') && params.has('to') ? { from: Number(params.get('from')), to: Number(params.get('to')) } : undefined
  let u

  /** The smallest whole step that keeps the buckets at or under MAX_BUCKETS. */
  const stepFor = (span) => STEPS.find((s) => span / s <= MAX_BUCKETS) ?? Math.ceil(span / MAX_BUCKETS / 86400e3) * 86400e3

  function remember(p) {
    const q = new URLSearchParams()
    chosen.forEach((k) => q.append('s', k))
    if (zoom) q.set('from', p.from), q.set('to', p.to)
    history.replaceState(null, '', '?' + q)
  }

  function renderChosen() {
    document.getElementById('chosen').replaceChildren(...chosen.map((k, i) => {
      const li = document.createElement('li')
      li.style.setProperty('--c', COLORS[i % COLORS.length])
      const b = Object.assign(document.createElement('button'), { type: 'button', textContent: '×', title: 'remove' })
      b.addEventListener('click', () => { chosen = chosen.filter((c) => c !== k); load() })
      li.append(k + ' ', b)
      return li
    }))
  }

  let latest = 0
  async function load() {
    const mine = ++latest // a slower, older answer must not overwrite a newer choice
    renderChosen()
    const p = zoom || period()
    const step = stepFor(p.to - p.from)
    remember(p)
    showError()
    try {
      const results = await Promise.all(chosen.map((k) => {
        const [line, equipment, sensor] = k.split('/')
        const url = `/api/series?line=${line}&equipment=${equipment}&sensor=${sensor}&from=${Math.floor(p.from)}&to=${Math.ceil(p.to)}&step=${step}ms`
        state.requests.push(url)
        return json(url)
      }))
      if (mine === latest) draw(p, step, results)
    } catch (err) {
      showError(err)
    }
  }

  /** Aligns every sensor's buckets on one x axis (seconds); a gap stays a gap. */
  function draw(p, step, results) {
    const xs = [...new Set(results.flatMap((r) => r.points.map((b) => b.ts)))].sort((a, b) => a - b)
    const at = new Map(xs.map((t, i) => [t, i]))
    const data = [xs.map((t) => t / 1000), ...results.map((r) => {
      const ys = new Array(xs.length).fill(null)
      for (const b of r.points) ys[at.get(b.ts)] = b.avg
      return ys
    })]
    const unitsShown = [...new Set(chosen.map((k) => units.get(k)))]
    const opts = {
      height: Math.max(260, Math.min(480, innerHeight - 260)),
      series: [{}, ...chosen.map((k, i) => ({ label: k, scale: units.get(k), stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false }))],
      axes: [{}, ...unitsShown.map((unit, i) => ({ scale: unit, label: unit, side: i % 2 ? 1 : 3, grid: { show: i === 0 } }))],
      scales: { x: { time: true } },
      cursor: { drag: { x: true, y: false } },
      hooks: { setSelect: [(plot) => {
        if (plot.select.width < 5) return
        const from = plot.posToVal(plot.select.left, 'x') * 1000
        const to = plot.posToVal(plot.select.left + plot.select.width, 'x') * 1000
        plot.setSelect({ width: 0, height: 0 }, false)
        zoom = { from, to }
        load()
      }] },
    }
    document.getElementById('range').textContent = `${time(p.from)} – ${time(p.to)} · ${xs.length} points per sensor at most, ${step >= 60e3 ? step / 60e3 + ' min' : step / 1000 + ' s'} buckets (averages) · drag across the chart to zoom in`
    if (u) { u.destroy(); window.mwCharts.splice(window.mwCharts.indexOf(u), 1) }
    u = chart(document.getElementById('chart'), opts, data)
    state.step = step
  }

  document.getElementById('add').addEventListener('click', () => {
    if (!chosen.includes(select.value)) chosen.push(select.value)
    load()
  })
  document.getElementById('reset').addEventListener('click', () => { zoom = undefined; load() })
  watchPeriod(() => { zoom = undefined; load() })
  load()
})().catch((err) => window.mw.showError(err))
