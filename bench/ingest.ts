// npm run bench:ingest — end-to-end ingest throughput and latency, with Mosquitto beside it.
//
// The load: 10-value stand snapshots shaped by the simulator, QoS 1, from two generator
// processes over 20 connections (a gateway per line), at rising target rates. For millwatch a PUBACK means
// "committed to the store", so acknowledged points/s is stored points/s; a probe also
// measures publish → visible over HTTP, and at the end every series is counted in the store.
// The yardstick: the same load through Mosquitto (Debian package) to a subscriber that only
// counts. Options: --rates 100000,200000 (points/s)  --seconds 10  --lines 20
import { parseArgs } from 'node:util'
import mqtt from 'mqtt'
import { allocator, benchConfig, runLoadSplit, startMillwatch, startMosquitto, tempDir } from './lib/processes.ts'
import { fmt, peakRssMb, summarize } from './lib/stats.ts'
import type { LoadReport } from './load.ts'

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '100000,200000,300000,400000' },
    seconds: { type: 'string', default: '10' },
    lines: { type: 'string', default: '20' },
    generators: { type: 'string', default: '2' },
    connections: { type: 'string', default: '20' },
  },
})
const rates = args.rates!.split(',').map(Number)
const seconds = Number(args.seconds)
const lineCount = Number(args.lines)
const generators = Number(args.generators)
const connections = Number(args.connections)
const lines = Array.from({ length: lineCount }, (_, i) => `tcm${i + 1}`)

interface StepResult {
  target: number
  points: number
  sent: number
  acked: number
  ackP50: number
  ackP99: number
  visibleP50?: number
  visibleP99?: number
}

const log = (s: string) => process.stderr.write(`${s}\n`)

async function drive(url: string, target: number, label: string): Promise<LoadReport> {
  const reports = await runLoadSplit({ url, lines, pointsPerSecond: target, durationMs: seconds * 1000, generators, connections, clientPrefix: `${label}-${target}` })
  const elapsedMs = Math.max(...reports.map((r) => r.elapsedMs))
  return {
    sent: reports.reduce((n, r) => n + r.sent, 0),
    acked: reports.reduce((n, r) => n + r.acked, 0),
    points: reports.reduce((n, r) => n + r.points, 0),
    elapsedMs,
    latency: { n: 0, p50: Math.max(...reports.map((r) => r.latency.p50)), p99: Math.max(...reports.map((r) => r.latency.p99)), max: Math.max(...reports.map((r) => r.latency.max)) },
  }
}

/** Publishes a marker reading every 200 ms and polls until it is visible over HTTP. */
function visibilityProbe(mqttUrl: string, http: string) {
  const samples: number[] = []
  let stop = false
  const done = (async () => {
    const c = await mqtt.connectAsync(mqttUrl, { clientId: 'bench-probe' })
    let i = 0
    while (!stop) {
      const value = ++i % 5000
      const started = performance.now()
      await c.publishAsync('plant/tcm1/exit/telemetry', JSON.stringify({ values: { coil_diameter_mm: value } }), { qos: 0 })
      for (;;) {
        const r = await fetch(`${http}/api/latest?line=tcm1&equipment=exit`).then((x) => x.json())
        if (r.values.some((v: { sensor: string; value: number }) => v.sensor === 'coil_diameter_mm' && v.value === value)) break
        if (performance.now() - started > 10_000) break
        await new Promise((r) => setTimeout(r, 5))
      }
      samples.push(performance.now() - started)
      await new Promise((r) => setTimeout(r, 200))
    }
    await c.endAsync()
  })()
  return { async finish() { stop = true; await done; return summarize(samples.splice(0)) } }
}

async function countStored(http: string, from: number, to: number): Promise<number> {
  let total = 0
  for (const line of lines)
    for (let s = 1; s <= 5; s++) {
      const r = await fetch(`${http}/api/series?line=${line}&equipment=stand${s}&sensor=roll_force_kN&from=${from}&to=${to}&step=1h`).then((x) => x.json())
      total += r.points.reduce((n: number, b: { count: number }) => n + b.count, 0) * 10
    }
  return total
}

async function benchMillwatch(): Promise<{ steps: StepResult[]; rssMb: number; stored: number; ackedPoints: number }> {
  const mw = await startMillwatch({ DATA_DIR: tempDir('mw-bench-data-'), CONFIG_DIR: benchConfig(lineCount) })
  const from = Date.now() - 1000
  const steps: StepResult[] = []
  try {
    for (const target of rates) {
      log(`  millwatch  ${fmt(target)} points/s target, ${seconds} s …`)
      const probe = visibilityProbe(mw.mqtt, mw.http)
      const r = await drive(mw.mqtt, target, 'mw')
      const vis = await probe.finish()
      steps.push({ target, points: (r.acked * 10) / (r.elapsedMs / 1000), sent: r.sent, acked: r.acked, ackP50: r.latency.p50, ackP99: r.latency.p99, visibleP50: vis.p50, visibleP99: vis.p99 })
    }
    const rssMb = await peakRssMb(mw.proc.pid!)
    const stored = await countStored(mw.http, from, Date.now() + 60_000)
    const ackedPoints = steps.reduce((n, s) => n + s.acked * 10, 0)
    return { steps, rssMb, stored, ackedPoints }
  } finally {
    await mw.stop()
  }
}

async function benchMosquitto(): Promise<StepResult[]> {
  const mosq = await startMosquitto()
  const steps: StepResult[] = []
  try {
    const sub = await mqtt.connectAsync(mosq.url, { clientId: 'bench-counter' })
    let received = 0
    let first = 0
    let last = 0
    sub.on('message', () => {
      last = performance.now()
      if (received++ === 0) first = last
    })
    await sub.subscribeAsync('plant/+/+/telemetry', { qos: 1 })
    for (const target of rates) {
      log(`  mosquitto  ${fmt(target)} points/s target, ${seconds} s …`)
      received = 0
      const r = await drive(mosq.url, target, 'mosq')
      // The relay is done when the counter has everything (or stops moving).
      for (let seen = -1; received < r.acked && received !== seen; ) {
        seen = received
        await new Promise((res) => setTimeout(res, 500))
      }
      // Rate over the span the subscriber was receiving, so generator start-up is not counted.
      steps.push({ target, points: (received * 10) / ((last - first) / 1000), sent: r.sent, acked: received, ackP50: r.latency.p50, ackP99: r.latency.p99 })
    }
    await sub.endAsync()
  } finally {
    await mosq.stop()
  }
  return steps
}

log(`bench:ingest — ${lineCount} lines × 5 stands, 10-value messages, QoS 1, ${generators} generator processes, ${connections} connections, ${seconds} s per rate`)
log(`  millwatch's allocator: ${allocator().name}`)
const mw = await benchMillwatch()
const mosq = await benchMosquitto()

const rows = mw.steps.map((s, i) => {
  const m = mosq[i]
  return `| ${fmt(s.target)} | ${fmt(s.points)} | ${fmt(s.ackP50, 1)} / ${fmt(s.ackP99, 1)} | ${fmt(s.visibleP50 ?? NaN, 1)} / ${fmt(s.visibleP99 ?? NaN, 1)} | ${fmt(m.points)} | ${fmt(s.points / m.points, 2)} |`
})
const out = [
  '',
  '| target points/s | millwatch stored points/s | PUBACK (= committed) p50 / p99 ms | publish → visible over HTTP p50 / p99 ms | Mosquitto relayed points/s | ratio |',
  '|---:|---:|---:|---:|---:|---:|',
  ...rows,
  '',
  `millwatch peak RSS: ${fmt(mw.rssMb)} MB; points acknowledged: ${fmt(mw.ackedPoints)}; points found in the store afterwards: ${fmt(mw.stored)}; lost: ${fmt(Math.max(0, mw.ackedPoints - mw.stored))}`,
  `machine: ${(await import('node:os')).cpus().length} cores, ${fmt((await import('node:os')).totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
]
process.stdout.write(out.join('\n') + '\n')
