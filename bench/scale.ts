// npm run bench:scale — shared-subscription ingest workers (issue 7): Mosquitto → 1, 2 and 3
// ingest worker processes (ROLES=ingest) → InfluxDB 1.6.7, beside the ceiling: the same kind
// and number of points written straight to InfluxDB with its own client, in the same run.
//
// Each round publishes `--rate` points/s (10-value stand snapshots, QoS 1, generator
// processes) for `--seconds`; Mosquitto queues what the workers have not taken yet (no queue
// limit). Two figures per round, both over the time from the first publish: points made
// durable (InfluxDB answered, or the worker's disk spool fsynced them — what each PUBACK waits
// for) until the workers took everything, and points InfluxDB confirmed until it holds them
// all. Either is the generators' rate when that is lower (the workers kept up). CPU of each
// process says what limited the figure. Progress every 2 s.
// Options: --workers 1,2,3  --rate 150000  --seconds 8  --lines 20
import { parseArgs } from 'node:util'
import { InfluxDB } from '@influxdata/influxdb-client'
import { startInflux } from '../test/helpers/influx.ts'
import type { Point } from '../core/payloads.ts'
import { toLines } from '../store/influx/line-protocol.ts'
import { sampleCpu, type CpuReport } from './lib/cpu.ts'
import { benchConfig, runLoadSplit, startMosquitto, tempDir } from './lib/processes.ts'
import { spawnPart } from '../test/helpers/parts.ts'
import { STAND_SENSORS, standSnapshots } from './lib/snapshots.ts'
import { fmt } from './lib/stats.ts'

const { values: args } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,2,3' },
    rate: { type: 'string', default: '150000' },
    seconds: { type: 'string', default: '8' },
    lines: { type: 'string', default: '20' },
  },
})
const workerCounts = args.workers!.split(',').map(Number)
const rate = Number(args.rate)
const seconds = Number(args.seconds)
const lines = Array.from({ length: Number(args.lines) }, (_, i) => `tcm${i + 1}`)
const log = (s: string) => process.stderr.write(`${s}\n`)
const CEILING_LANES = 4

interface Round {
  label: string
  published: number
  stored: number
  seconds: number
  pointsPerSecond: number
  publishRate: number
  cpu: CpuReport
  shares?: number[]
  /** points made durable (in InfluxDB or the workers' disk spool) per second: what PUBACKs waited for */
  durablePerSecond?: number
}

const influx = await startInflux({ database: 'scale' })
const configDir = benchConfig(lines.length)
const metric = async (http: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${http}/metrics`)).text())?.[1] ?? 0)
const pointsMetric = (http: string) => metric(http, 'mw_ingest_points_total')
const countIn = async (db: string) => {
  const r = await fetch(`${influx.url}/query?db=${db}&q=${encodeURIComponent('SELECT count(value) FROM telemetry')}`)
  return Number((await r.json()).results?.[0]?.series?.[0]?.values?.[0]?.[1] ?? 0)
}

/** The ceiling: the same shape of points (every stand of every line, 10 sensors) through the client's WriteApi. */
async function ceiling(total: number): Promise<Round> {
  const db = 'scale_ceiling'
  await fetch(`${influx.url}/query?q=${encodeURIComponent(`CREATE DATABASE ${db}`)}`, { method: 'POST' })
  const snaps = standSnapshots(1, 600).map((s) => s.map((json) => JSON.parse(json) as Record<string, number>))
  const cpu = sampleCpu({ influxd: influx.proc.pid, 'bench (client)': process.pid })
  const t0 = performance.now()
  let written = 0
  let tick = 0
  let reported = 0
  // 5 000-point bodies, each one request (the client's own batching off, as the store does),
  // `CEILING_LANES` requests in flight: the WriteApi resolves flush() once its body is written.
  const lane = async () => {
    const api = new InfluxDB({ url: influx.url }).getWriteApi('', db, 'ms', { batchSize: 16, gzipThreshold: 1000, maxRetries: 0, flushInterval: 0 })
    api.path = `/write?db=${db}&precision=ms`
    while (written < total) {
      const batch: Point[] = []
      while (batch.length < 5000) {
        const ts = Date.now() - 3_600_000 + tick
        for (const line of lines)
          for (let s = 0; s < 5; s++) {
            const values = snaps[s]![tick % snaps[s]!.length]!
            for (const sensor of STAND_SENSORS) batch.push({ line, equipment: `stand${s + 1}`, sensor, ts, value: values[sensor]! })
          }
        tick++
      }
      written += batch.length
      api.writeRecord(toLines(batch))
      await api.flush()
      if (written - reported >= total / 10) log(`  ceiling: ${fmt((reported = written))} of ${fmt(total)} points written`)
    }
    await api.close()
  }
  await Promise.all(Array.from({ length: CEILING_LANES }, lane))
  const secs = (performance.now() - t0) / 1000
  const stored = await countIn(db)
  return { label: 'InfluxDB client, straight', published: written, stored, seconds: secs, pointsPerSecond: stored / secs, publishRate: NaN, cpu: cpu.stop() }
}

async function round(n: number): Promise<Round> {
  const db = `scale_${n}`
  log(`\n${n} ingest worker${n > 1 ? 's' : ''}: starting…`)
  // A broker of its own per round: Mosquitto keeps a stopped worker's persistent session in
  // the share group and queues its share there (docs/deployment.md), which would starve the next round.
  const broker = await startMosquitto()
  const workers = await Promise.all(
    Array.from({ length: n }, (_, k) =>
      spawnPart({ ROLES: 'ingest', MQTT_URL: broker.url, INGEST_WORKER_ID: `bench-${n}-${k + 1}`, DATA_DIR: tempDir('mw-scale-'), CONFIG_DIR: configDir, STORE: 'influx', INFLUX_URL: influx.url, INFLUX_BUCKET: db }),
    ),
  )
  const total = async () => (await Promise.all(workers.map((w) => pointsMetric(w.http)))).reduce((a, b) => a + b, 0)
  const cpu = sampleCpu({ ...Object.fromEntries(workers.map((w, k) => [`worker ${k + 1}`, w.proc.pid])), mosquitto: broker.proc.pid, influxd: influx.proc.pid })
  const t0 = performance.now()
  let published: number | undefined
  let publishSeconds = seconds
  const progress = setInterval(
    () =>
      void total().then((t) =>
        log(`  ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s  taken ${fmt(t)} points${published ? ` of ${fmt(published)}` : ''}  (${fmt(t / ((performance.now() - t0) / 1000))} points/s)`),
      ),
    2000,
  )
  const reports = await runLoadSplit({ url: broker.url, lines, pointsPerSecond: rate, durationMs: seconds * 1000, generators: 2, connections: 20, clientPrefix: `scale-${n}` })
  published = reports.reduce((a, r) => a + r.points, 0)
  publishSeconds = Math.max(...reports.map((r) => r.elapsedMs)) / 1000
  // Drained: every acknowledged point taken by some worker, and nothing waiting for a commit.
  const pending = async () => (await Promise.all(workers.map((w) => metric(w.http, 'mw_store_pending_points')))).reduce((a, b) => a + b, 0)
  let deadline = performance.now() + 60_000
  while (((await total()) < published || (await pending()) > 0) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  const durableSecs = (performance.now() - t0) / 1000
  // In InfluxDB: confirmed by it, directly or replayed from a worker's spool.
  const confirmed = async () => (await Promise.all(workers.map((w) => metric(w.http, 'mw_influx_points_written_total')))).reduce((a, b) => a + b, 0)
  deadline = performance.now() + 90_000
  while ((await confirmed()) < published && performance.now() < deadline) await new Promise((r) => setTimeout(r, 250))
  const secs = (performance.now() - t0) / 1000
  clearInterval(progress)
  const report = cpu.stop()
  const shares = await Promise.all(workers.map((w) => pointsMetric(w.http)))
  const waiting = await Promise.all(workers.map(async (w) => `pending ${fmt(await metric(w.http, 'mw_store_pending_points'))}, spooled ${fmt(await metric(w.http, 'mw_influx_spool_points'))}`))
  await Promise.all(workers.map((w) => w.stop()))
  await broker.stop()
  const inInflux = await countIn(db)
  if (inInflux < published) {
    log(`  InfluxDB holds ${fmt(inInflux)} of ${fmt(published)} published points; workers before stopping: ${waiting.join('; ')}; they said:`)
    for (const w of workers) log(w.output().split('\n').filter((l) => l.startsWith('{')).slice(-5).join('\n'))
  }
  return { label: `${n} ingest worker${n > 1 ? 's' : ''}`, published, stored: inInflux, seconds: secs, pointsPerSecond: Math.min(inInflux, published) / secs, publishRate: published / publishSeconds, cpu: report, shares, durablePerSecond: Math.min(published, shares.reduce((a, b) => a + b, 0)) / durableSecs }
}

try {
  log(`bench:scale — ${lines.length} lines, ${fmt(rate)} points/s offered for ${seconds} s per round; InfluxDB ${influx.url}`)
  const rounds: Round[] = []
  const top = await ceiling(rate * seconds)
  log(`ceiling: ${fmt(top.pointsPerSecond)} points/s`)
  for (const n of workerCounts) {
    const r = await round(n)
    rounds.push(r)
    log(`  → ${fmt(r.pointsPerSecond)} points/s (${fmt((100 * r.pointsPerSecond) / top.pointsPerSecond)} % of the ceiling)`)
  }
  const cpuText = (c: CpuReport) =>
    `${Object.entries(c.processes)
      .map(([k, v]) => `${k} ${fmt(v)} %`)
      .join(', ')}; machine ${fmt(c.machine)} % of ${c.cores} cores`
  const out = [
    '',
    '| run | points in InfluxDB | s | points/s into InfluxDB | share of ceiling | durable points/s (InfluxDB or spool) | generators reached | CPU (100 % = one core) |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    `| ${top.label} | ${fmt(top.stored)} | ${fmt(top.seconds, 1)} | **${fmt(top.pointsPerSecond)}** | 100 % | — | — | ${cpuText(top.cpu)} |`,
    ...rounds.map(
      (r) =>
        `| ${r.label} | ${fmt(r.stored)} | ${fmt(r.seconds, 1)} | **${fmt(r.pointsPerSecond)}** | ${fmt((100 * r.pointsPerSecond) / top.pointsPerSecond)} % | ${fmt(r.durablePerSecond!)} | ${fmt(r.publishRate)} | ${cpuText(r.cpu)}; shares ${r.shares!.map((s) => fmt(s)).join(' / ')} |`,
    ),
    '',
  ]
  process.stdout.write(out.join('\n'))
} finally {
  await influx.close()
}
