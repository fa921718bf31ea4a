// npm run bench:dashboard — issue 6's benchmark. With 30 days of the default plant's history
// at 1 Hz per sensor (~160M points, bench/history/, generated once and kept), it measures on
// the real service (the entry point, simulator on, so the live view moves):
//   1. the KPI overview for the 30 days: server time (Server-Timing) and round trip — floor ≤ 300 ms;
//   2. a sensor trend over the 30 days at a 30-minute step (~1,440 buckets)      — floor ≤ 150 ms;
//   3. the live view's update delay, device publish → server-sent event        — floor ≤ 1 s;
//   4. 50 concurrent dashboard users (overview, trend, explorer, live stream)  — no errors;
// with peer figures from the same run: the trend through the store in-process and straight
// from DuckDB (rollups; raw points), and the overview's store reads alone.
// Options: --data <folder> --days 30 --regenerate --samples 30 --users 50 --rounds 3 --probes 30
import { execSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { Credentials } from '../core/credentials.ts'
import { peerFigures, figures, type Figures, type Trend } from './dashboard/peers.ts'
import { timedGet } from './dashboard/http.ts'
import { probeLive } from './dashboard/live-probe.ts'
import { dashboardUsers } from './dashboard/users.ts'
import { DEFAULT_DATA, ensureHistory } from './history/generate.ts'
import { startMillwatch } from './lib/processes.ts'
import { fmt, peakRssMb } from './lib/stats.ts'

const { values: args } = parseArgs({ options: {
  data: { type: 'string', default: DEFAULT_DATA }, days: { type: 'string', default: '30' }, regenerate: { type: 'boolean', default: false },
  samples: { type: 'string', default: '30' }, users: { type: 'string', default: '50' }, rounds: { type: 'string', default: '3' },
  probes: { type: 'string', default: '30' },
} })
const SAMPLES = Number(args.samples)
const load = () => execSync('uptime').toString().trim().replace(/^.*load average: /, '')
const row = (label: string, f: Figures, floor?: number) =>
  `${label.padEnd(44)} p50 ${fmt(f.p50, 1).padStart(7)}  p95 ${fmt(f.p95, 1).padStart(7)}  p99 ${fmt(f.p99, 1).padStart(7)}  max ${fmt(f.max, 1).padStart(7)} ms  (n ${f.n})${
    floor === undefined ? '' : f.p99 <= floor ? `  ✓ p99 ≤ ${floor}` : `  ✗ p99 > ${floor}`}`

const h = await ensureHistory({ dir: args.data, days: Number(args.days), regenerate: args.regenerate })
console.log(`history: ${h.days} days of ${h.line} from ${new Date(h.startMs).toISOString()} to ${new Date(h.endMs).toISOString()}, ${fmt(h.points)} points, ${fmt(h.coils)} coils, ${fmt(h.alarmTransitions)} alarm transitions, ${fmt(h.bytes / 2 ** 20)} MB`)
console.log(`machine: ${execSync('nproc').toString().trim()} cores; load average before: ${load()}`)

// ---- peers, before the service owns the file ----
const trend: Trend = { line: h.line, equipment: 'stand3', sensor: 'vibration_mm_s', from: h.startMs, to: h.endMs, stepMs: 30 * 60_000 }
const peer = await peerFigures(args.data, trend, SAMPLES)

// ---- the service ----
const creds = new Credentials(args.data)
const { id: tokenId, token } = creds.createToken('bench-dashboard', ['manager'], 'bench:dashboard')
const headers = { authorization: `Bearer ${token}` }
// Free ports are picked before the child binds them: on a machine shared with other runs one
// may be taken in between, so try again.
const start = async (attempt = 1): Promise<Awaited<ReturnType<typeof startMillwatch>>> =>
  startMillwatch({ DATA_DIR: args.data, SIMULATOR: 'on' }).catch((err: Error) => {
    if (attempt >= 3 || !/already in use/.test(err.message)) throw err
    return start(attempt + 1)
  })
const mw = await start()
try {
  const now = Date.now()
  // Overview over the whole history (30 days and however long ago it was generated).
  const overviewUrl = `${mw.http}/api/kpi/overview?line=${h.line}&from=${h.startMs}&to=${now}`
  const trendUrl = `${mw.http}/api/series?line=${h.line}&equipment=${trend.equipment}&sensor=${trend.sensor}&from=${h.startMs}&to=${now}&step=30m`
  // The overview: skipped (and said so) when this build serves no /api/kpi/overview.
  const first = await timedGet(overviewUrl, headers)
  const serverMs: number[] = []
  const overviewRtt: number[] = []
  if (first.status === 200) {
    console.log(`overview (first, cold): ${fmt(first.ms)} ms; it reads: ${first.body.slice(0, 400)}…`)
    for (let i = 0; i < SAMPLES; i++) {
      const r = await timedGet(overviewUrl, headers)
      if (r.status !== 200) throw new Error(`overview answered ${r.status}`)
      overviewRtt.push(r.ms)
      if (r.serverMs !== undefined) serverMs.push(r.serverMs)
    }
  } else console.log(`overview NOT MEASURED: it answered ${first.status} ${first.body.slice(0, 200)}`)
  const trendFirst = await timedGet(trendUrl, headers)
  if (trendFirst.status !== 200) throw new Error(`trend answered ${trendFirst.status}: ${trendFirst.body.slice(0, 300)}`)
  const buckets = (JSON.parse(trendFirst.body) as { points: unknown[] }).points.length
  const trendRtt: number[] = []
  for (let i = 0; i < SAMPLES; i++) trendRtt.push((await timedGet(trendUrl, headers)).ms)

  const live = await probeLive({ http: mw.http, mqtt: mw.mqtt, line: h.line, headers, probes: Number(args.probes), intervalMs: 300 })
  const loadDuring = load()
  const users = await dashboardUsers({ http: mw.http, line: h.line, headers, users: Number(args.users), rounds: Number(args.rounds), now: Date.now(), trendFrom: h.startMs })
  const rss = await peakRssMb(mw.proc.pid!)

  console.log('\n== bench:dashboard ==')
  console.log(row('KPI overview, 30 d: server (Server-Timing)', figures(serverMs), 300))
  console.log(row('KPI overview, 30 d: round trip', figures(overviewRtt)))
  console.log(row(`sensor trend, 30 d, step 30 m (${buckets} buckets)`, figures(trendRtt), 150))
  console.log(row('  peer: the same buckets, store in-process', peer.store))
  console.log(row('  peer: DuckDB alone, from rollup_1m', peer.rollupSql))
  console.log(row('  peer: DuckDB alone, from raw points', peer.rawSql))
  console.log(row(`live view delay (${live.delaysMs.length} seen, ${live.missed} overwritten)`, figures(live.delaysMs), 1000))
  console.log(`${Number(args.users)} concurrent users × ${args.rounds} rounds: ${users.requests} requests, ${users.non2xx} non-2xx, ${users.failures} failures; live streams open ${users.streamsOpen}, with frames ${users.streamsWithFrames}`)
  for (const [kind, ms] of Object.entries(users.latency)) console.log(row(`  ${kind}`, figures(ms)))
  for (const [kind, ms] of Object.entries(users.server)) console.log(row(`  ${kind} (server)`, figures(ms)))
  for (const e of users.examples) console.log(`  e.g. ${e}`)
  console.log(`millwatch peak RSS ${fmt(rss)} MB; load average during: ${loadDuring}, after: ${load()}`)
} finally {
  await mw.stop()
  creds.revokeToken(tokenId)
}
