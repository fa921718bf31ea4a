// npm run soak — millwatch under the backbone's full rate for a long time (issue 3, "Proof").
//
// millwatch (bin/millwatch.ts, SIMULATOR=off, a fresh DuckDB file) gets the ingest bench's
// load — 10-value stand snapshots, QoS 1, two generator processes over 20 connections —
// on lines tcm2…tcmN+1 at --rate points/s, and beside it the cold-mill simulator as its own
// process on line tcm1 (QoS 1) with fault scenarios spread over the run (bearing wear, a
// stuck sensor, a dropout, a thickness excursion, a strip break), so rules fire and alarms
// are raised while the load runs. Every --sample seconds it prints RSS (/proc/PID/status
// VmRSS), event-loop delay p99 (/metrics mw_nodejs_eventloop_lag_p99_seconds), the points
// ingest took, those committed (ingested − the store's queue; a PUBACK follows the commit, so
// this is what was acknowledged) and the queue itself. At the end it counts every load series in the store
// and compares with what the generators got PUBACKs for (PUBACK = committed): was anything
// lost? And are RSS and event-loop delay flat? The store reopens its file every
// store.reopenEvery points, so RSS is a sawtooth: it is judged by whole reopen cycles after the
// first (lib/cycles.ts), or by a straight line after warm-up when there are not two. RSS is mostly native memory
// (DuckDB); the JavaScript side's growth shows in the main thread's heap after a full GC
// (/metrics mw_nodejs_heap_live_bytes), sampled and fitted beside it.
//
// DuckDB's memory follows the rows its file holds (~7 MB per 100M points, docs/benchmarks.md),
// so a flat RSS needs a table of bounded size: the steady state a plant reaches once
// store.retention.raw starts deleting. At 250k points/s the shipped 30 days would be 650
// billion raw points, which no plant's disk holds: a plant at this rate sets the retention to
// its disk. The soak sets it to --raw-retention (10 minutes), so the table reaches its steady
// state in the first reopen cycle; `--raw-retention 30d` runs the shipped default, a table
// that grows for the whole run. Points past the retention live on in the 1-minute rollups,
// where the end count reads them.
//
// Options: --minutes 30  --rate 250000  --lines 20  --sample 10  --fault SPEC (repeatable;
// replaces the default scenarios)  --generators 2  --connections 20  --raw-retention 10m
import { spawn } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig } from '../core/config.ts'
import { alarmBenchConfig } from './lib/alarm-config.ts'
import { judgeCycles, reopenCycles, slope } from './lib/cycles.ts'
import { allocator, ROOT, runLoadSplit, startMillwatch, tempDir } from './lib/processes.ts'
import { fmt } from './lib/stats.ts'

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '250000' },
    lines: { type: 'string', default: '20' },
    sample: { type: 'string', default: '10' },
    fault: { type: 'string', multiple: true },
    generators: { type: 'string', default: '2' },
    connections: { type: 'string', default: '20' },
    'raw-retention': { type: 'string', default: '10m' },
  },
})
const minutes = Number(args.minutes)
const rate = Number(args.rate)
const lineCount = Number(args.lines)
const sampleMs = Number(args.sample) * 1000
const generators = Number(args.generators)
const connections = Number(args.connections)
for (const [k, v] of Object.entries({ minutes, rate, lines: lineCount, sample: sampleMs, generators, connections }))
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k}: expected a positive number`)
const rawRetention = args['raw-retention']
const durationMs = minutes * 60_000
const loadLines = Array.from({ length: lineCount }, (_, i) => `tcm${i + 2}`) // tcm1 is the simulator's
const log = (s: string) => process.stderr.write(`${s}\n`)

/** Fault scenarios at fixed fractions of the run, so a 3-minute run sees each of them too. */
function defaultFaults(): string[] {
  const at = (f: number) => `${Math.max(1, Math.round((durationMs * f) / 1000))}s`
  return [
    `bearing-wear:stand3@${at(0.1)}+${at(0.6)}`,
    `stuck-sensor:stand2/bearing_temp_C@${at(0.2)}+${at(0.2)}`,
    `dropout:exit@${at(0.4)}+${at(0.1)}`,
    `thickness-excursion@${at(0.5)}+${at(0.05)}`,
    `strip-break:stand4@${at(0.85)}`,
  ]
}
const faults = args.fault ?? defaultFaults()

interface Sample {
  tMin: number
  rssMb: number
  loopP99Ms: number
  ingested: number
  pending: number
  alarms: number
  /** main thread's V8 heap after its last full GC (MB; NaN before the first) */
  liveMb: number
  /** main thread's V8 heap total (MB): the live set plus the garbage since the last full GC */
  heapTotalMb: number
  /** memory outside the main thread's V8 heap held by its objects: buffers (MB) */
  externalMb: number
  /** what DuckDB accounts for itself (duckdb_memory(), MB) */
  duckdbMb: number
  /** rows in the raw points table (DuckDB's estimate): what --raw-retention bounds */
  rawPoints: number
  /** the machine's 1-minute load average: other work on the box skews every figure */
  load1: number
  /** each worker thread's V8 heap after its last full GC, its heap total and its external memory (MB) */
  threads: Record<string, { liveMb: number; totalMb: number; externalMb: number }>
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
  return kb ? Number(kb) / 1024 : NaN
}

const metric = (text: string, name: string) => {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text)
  return m ? Number(m[1]) : NaN
}
const threadFigures = (text: string): Sample['threads'] => {
  const out: Sample['threads'] = {}
  for (const m of text.matchAll(/^mw_nodejs_thread_(heap_live|heap_total|external)_bytes\{thread="([^"]+)"\} ([0-9.eE+-]+)$/gm)) {
    const t = (out[m[2]] ??= { liveMb: NaN, totalMb: NaN, externalMb: NaN })
    if (m[1] === 'heap_live') t.liveMb = Number(m[3]) / 2 ** 20 || NaN
    else if (m[1] === 'heap_total') t.totalMb = Number(m[3]) / 2 ** 20
    else t.externalMb = Number(m[3]) / 2 ** 20
  }
  return out
}
const metricSum = (text: string, name: string) =>
  [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0)

async function countStored(http: string, from: number, to: number): Promise<number> {
  let total = 0
  for (const line of loadLines)
    for (let s = 1; s <= 5; s++) {
      const r = await fetch(`${http}/api/series?line=${line}&equipment=stand${s}&sensor=roll_force_kN&from=${from}&to=${to}&step=1h`).then((x) => x.json())
      total += r.points.reduce((n: number, b: { count: number }) => n + b.count, 0) * 10
    }
  return total
}

log(`soak — ${minutes} min at ${fmt(rate)} points/s on ${lineCount} lines (${generators} generators, ${connections} connections, QoS 1), simulator on tcm1 with faults: ${faults.join(' ')}`)
log(`  millwatch's allocator: ${allocator().name}; raw retention (store.retention.raw): ${rawRetention}`)
const dataDir = tempDir('mw-soak-data-') // ~0.7 GB per 10 minutes at 250k points/s; removed at the end
// The shipped rules, people and channels (none with an address: nothing is sent), so the
// simulator's faults and the load raise real alarms while it runs.
// --raw-retention goes into millwatch.yaml as it is, and millwatch's own config check judges it
// (a bare number is milliseconds; 0 keeps every point).
const configDir = alarmBenchConfig(lineCount + 1, `store:\n  retention:\n    raw: ${rawRetention}\n`).dir
// The store reopens its file every this many committed points (store.reopenEvery): RSS is a
// sawtooth with that period, judged cycle by cycle below.
const reopenEvery = loadConfig({ CONFIG_DIR: configDir, DATA_DIR: dataDir }).store.reopenEveryPoints
const mw = await startMillwatch({ DATA_DIR: dataDir, CONFIG_DIR: configDir, LOG_LEVEL: 'warn' })
let mwOut = ''
mw.proc.stdout!.on('data', (d) => (mwOut = (mwOut + d).slice(-20_000)))
mw.proc.stderr!.on('data', (d) => (mwOut = (mwOut + d).slice(-20_000)))
const pid = mw.proc.pid!
// A whole minute: past the raw retention a minute lives only in rollup_1m, and a range that
// starts inside it does not count it (the end count would miss the run's first seconds).
const from = Math.floor((Date.now() - 1000) / 60_000) * 60_000

// The simulator as a plant gateway would run it: its own process, QoS 1, live.
const sim = spawn(
  process.execPath,
  ['--import', 'tsx', join(ROOT, 'simulators/cli.ts'), '--url', mw.mqtt, '--qos', '1', '--duration', `${Math.round(durationMs / 1000)}s`, '--client-id', 'soak-simulator', '--log-level', 'info', ...faults.flatMap((f) => ['--fault', f])],
  { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
)
let simErr = ''
sim.stderr!.on('data', (d) => (simErr = (simErr + d).slice(-20_000)))
const simDone = new Promise<number | null>((r) => sim.once('exit', (code) => r(code)))

const load = runLoadSplit({ url: mw.mqtt, lines: loadLines, pointsPerSecond: rate, durationMs, generators, connections, clientPrefix: 'soak' })

const samples: Sample[] = []
const t0 = performance.now()
let loadFinished = false
void load.finally(() => (loadFinished = true))
let last = { at: t0, ingested: 0 }
while (!loadFinished) {
  await Promise.race([new Promise((r) => setTimeout(r, sampleMs)), load])
  if (loadFinished) break
  const text = await fetch(`${mw.http}/metrics`).then((r) => r.text(), () => '')
  const now = performance.now()
  const s: Sample = {
    tMin: (now - t0) / 60_000,
    rssMb: await rssMb(pid),
    loopP99Ms: metric(text, 'mw_nodejs_eventloop_lag_p99_seconds') * 1000,
    ingested: metric(text, 'mw_ingest_points_total'),
    pending: metric(text, 'mw_store_pending_points'),
    alarms: metricSum(text, 'mw_alarm_transitions_total'),
    liveMb: metric(text, 'mw_nodejs_heap_live_bytes') / 2 ** 20 || NaN,
    heapTotalMb: metric(text, 'mw_nodejs_heap_size_total_bytes') / 2 ** 20,
    externalMb: metric(text, 'mw_nodejs_external_memory_bytes') / 2 ** 20,
    duckdbMb: metric(text, 'mw_store_duckdb_memory_bytes') / 2 ** 20,
    rawPoints: metric(text, 'mw_store_raw_points'),
    load1: loadavg()[0],
    threads: threadFigures(text),
  }
  samples.push(s)
  const perS = ((s.ingested - last.ingested) * 1000) / (now - last.at)
  last = { at: now, ingested: s.ingested }
  const mm = Math.floor(s.tMin)
  const ss = Math.round((s.tMin - mm) * 60)
  const threads = Object.entries(s.threads).map(([t, f]) => `${t} ${fmt(f.liveMb)}/${fmt(f.totalMb)}+${fmt(f.externalMb)}`).join(' ')
  log(
    `[${String(mm).padStart(3)}:${String(ss).padStart(2, '0')}] rss ${fmt(s.rssMb)} MB  heap live ${fmt(s.liveMb)} / total ${fmt(s.heapTotalMb)} MB  external ${fmt(s.externalMb)} MB  threads (live/total+external) ${threads} MB  DuckDB ${fmt(s.duckdbMb)} MB  raw table ${fmt(s.rawPoints / 1e6)}M rows  loop p99 ${fmt(s.loopP99Ms, 1)} ms  ingested ${fmt(s.ingested / 1e6, 2)}M (${fmt(perS)}/s)  committed = acknowledged ${fmt((s.ingested - s.pending) / 1e6, 2)}M  store queue ${fmt(s.pending)}  load ${fmt(s.load1, 1)}${Number.isFinite(s.alarms) && s.alarms ? `  alarm transitions ${fmt(s.alarms)}` : ''}`,
  )
  if (mw.proc.exitCode !== null) throw new Error(`millwatch exited during the soak:\n${mwOut}`)
}

const reports = await load
const simCode = await Promise.race([simDone, new Promise<'running'>((r) => setTimeout(() => r('running'), 15_000))])
if (simCode === 'running') sim.kill('SIGTERM')
const acked = reports.reduce((n, r) => n + r.points, 0)
const sent = reports.reduce((n, r) => n + r.sent * 10, 0)
const elapsedS = Math.max(...reports.map((r) => r.elapsedMs)) / 1000
log('counting what the store holds …')
const stored = await countStored(mw.http, from, Date.now() + 60_000)
const simFinished = simErr.split('\n').filter((l) => l.includes('simulator finished')).at(-1)
// From the finished line itself: progress lines before it carry the same fields.
const simStats = simFinished ? /"messages":(\d+)[^\n]*"dropped":(\d+)/.exec(simFinished) : null
const finalRss = await rssMb(pid)
await mw.stop()
await Promise.all([dataDir, configDir].map((d) => rm(d, { recursive: true, force: true })))

const xs = samples.map((s) => s.tMin)
const rss = samples.map((s) => s.rssMb)
const warm = samples.filter((s) => s.tMin >= Math.min(2, minutes / 3)) // after the warm-up (DuckDB buffers, JIT)
const secondHalf = samples.filter((s) => s.tMin >= minutes / 2)
const lags = samples.map((s) => s.loopP99Ms).sort((a, b) => a - b)
const lost = Math.max(0, acked - stored)
const flatSlope = slope(
  warm.map((s) => s.tMin),
  warm.map((s) => s.rssMb),
)
// Full GCs come every minute or two: until the first one under load, the gauge still shows
// the one at startup, a heap without the load's working set.
const live = warm.filter((s) => Number.isFinite(s.liveMb) && s.liveMb !== samples[0].liveMb)
const liveSlope = slope(
  live.map((s) => s.tMin),
  live.map((s) => s.liveMb),
)
// Whole reopen cycles, compared at the same point of each (lib/cycles.ts); without reopens
// (or too short a run for two cycles after the first), the straight line after warm-up.
const cycles = reopenCycles(samples.map((s) => ({ tMin: s.tMin, committed: s.ingested - s.pending, rssMb: s.rssMb, loopP99Ms: s.loopP99Ms })), reopenEvery)
const byCycle = judgeCycles(cycles)
const memoryFlat = byCycle ? byCycle.memoryFlat : flatSlope < 1
const out = [
  '',
  `soak: ${fmt(minutes, 1)} min, target ${fmt(rate)} points/s on ${lineCount} lines + the simulator on tcm1 (${faults.length} fault scenarios)`,
  `  load: ${fmt(sent)} points sent, ${fmt(acked)} acknowledged (${fmt(acked / elapsedS)} points/s), ${fmt(stored)} found in the store afterwards — lost: ${fmt(lost)}${stored > acked ? ` (${fmt(stored - acked)} more stored than acknowledged: committed, PUBACK not yet read)` : ''}`,
  `  simulator: ${simStats ? `${fmt(Number(simStats[1]))} messages, ${fmt(Number(simStats[2]))} dropped` : `did not report (exit ${String(simCode)})`}`,
  `  RSS: first sample ${fmt(rss[0])} MB, last ${fmt(finalRss)} MB, peak ${fmt(Math.max(...rss))} MB; slope ${fmt(slope(xs, rss), 2)} MB/min over the run, ${fmt(flatSlope, 2)} MB/min after warm-up, ${fmt(slope(secondHalf.map((s) => s.tMin), secondHalf.map((s) => s.rssMb)), 2)} MB/min over the second half`,
  `  main thread's V8 heap after a full GC (its live set): first ${fmt(live[0]?.liveMb ?? NaN)} MB, last ${fmt(live.at(-1)?.liveMb ?? NaN)} MB, peak ${fmt(Math.max(...live.map((s) => s.liveMb)))} MB; slope ${fmt(liveSlope, 2)} MB/min after warm-up (heap total, which also holds the garbage between GCs: ${fmt(Math.min(...samples.map((s) => s.heapTotalMb)))}–${fmt(Math.max(...samples.map((s) => s.heapTotalMb)))} MB); its external memory ${fmt(warm[0]?.externalMb ?? NaN)} → ${fmt(warm.at(-1)?.externalMb ?? NaN)} MB`,
  ...Object.keys(samples.at(-1)?.threads ?? {}).map((t) => {
    const have = warm.filter((s) => Number.isFinite(s.threads[t]?.liveMb))
    const y = (f: 'liveMb' | 'totalMb' | 'externalMb') => have.map((s) => s.threads[t][f])
    return `  ${t} thread's V8 heap after a full GC: first ${fmt(y('liveMb')[0] ?? NaN)} MB, last ${fmt(y('liveMb').at(-1) ?? NaN)} MB, slope ${fmt(slope(have.map((s) => s.tMin), y('liveMb')), 2)} MB/min after warm-up; heap total ${fmt(Math.min(...y('totalMb')))}–${fmt(Math.max(...y('totalMb')))} MB, slope ${fmt(slope(have.map((s) => s.tMin), y('totalMb')), 2)} MB/min; its external memory ${fmt(y('externalMb')[0] ?? NaN)} → ${fmt(y('externalMb').at(-1) ?? NaN)} MB`
  }),
  `  DuckDB by its own account (duckdb_memory()): first ${fmt(samples[0]?.duckdbMb ?? NaN)} MB, last ${fmt(samples.at(-1)?.duckdbMb ?? NaN)} MB, peak ${fmt(Math.max(...samples.map((s) => s.duckdbMb)))} MB; slope ${fmt(slope(warm.map((s) => s.tMin), warm.map((s) => s.duckdbMb)), 2)} MB/min after warm-up`,
  `  raw table (store.retention.raw ${rawRetention}): ${fmt((samples.at(-1)?.rawPoints ?? NaN) / 1e6)}M rows at the end, at most ${fmt(Math.max(...samples.map((s) => s.rawPoints)) / 1e6)}M`,
  `  event-loop delay p99 per ${fmt(sampleMs / 1000)} s sample: median ${fmt(lags[Math.floor(lags.length / 2)], 1)} ms, worst ${fmt(lags[lags.length - 1], 1)} ms`,
  ...(cycles.length
    ? [
        `  per reopen cycle (every ${fmt(reopenEvery)} points committed): ${cycles.map((c) => `#${c.index} min ${fmt(c.fromMin, 1)}–${fmt(c.toMin, 1)}: RSS median ${fmt(c.rssMedianMb)} / max ${fmt(c.rssMaxMb)} MB, loop p99 median ${fmt(c.loopMedianMs, 1)} ms`).join('; ')}`,
        byCycle
          ? `  across cycles after the first: RSS medians ${fmt(byCycle.rssSlope, 2)} MB/min, event-loop p99 medians ${fmt(byCycle.loopSlope, 2)} ms/min`
          : `  fewer than two whole cycles after the first: judged by the straight line instead`,
      ]
    : []),
  `  verdict: memory ${memoryFlat ? 'flat' : 'NOT flat'} (${byCycle ? `cycle medians grow ${fmt(byCycle.rssSlope, 2)}` : `slope after warm-up ${fmt(flatSlope, 2)}`} ${memoryFlat ? '<' : '≥'} 1 MB/min)${byCycle ? `; event-loop delay ${byCycle.loopFlat ? 'flat' : 'NOT flat'}` : ''}; ${lost === 0 ? 'nothing lost' : `${fmt(lost)} acknowledged points LOST`}`,
  `  machine: ${cpus().length} cores, ${fmt(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average during the run ${fmt(samples.reduce((n, s) => n + s.load1, 0) / Math.max(1, samples.length), 1)} (the soak's own processes make ~2–3; more means other work shared the box)`,
]
process.stdout.write(out.join('\n') + '\n')
process.exitCode = lost === 0 ? 0 : 1
