// A load generator process: publishes 10-value stand snapshots for some lines at a target
// message rate over several MQTT connections (lean QoS 1 publishers, lib/raw-publisher.ts),
// keeping at most `window` publishes in flight per connection, and reports what was sent, acknowledged, and how long each
// acknowledgement took. Run by bench/ingest.ts as a child process (IPC).
import { RawPublisher } from './lib/raw-publisher.ts'
import { standSnapshots } from './lib/snapshots.ts'
import { summarize } from './lib/stats.ts'

export interface LoadOptions {
  url: string
  lines: string[]
  msgsPerSecond: number
  durationMs: number
  clients: number
  window: number
  seed: number
  clientPrefix: string
}

export interface LoadReport {
  sent: number
  acked: number
  points: number
  elapsedMs: number
  latency: { n: number; p50: number; p99: number; max: number }
}

async function run(o: LoadOptions): Promise<LoadReport> {
  const series = o.lines.flatMap((line) => [1, 2, 3, 4, 5].map((s) => ({ topic: `plant/${line}/stand${s}/telemetry`, stand: s - 1, lastTs: 0, i: 0 })))
  // Each stand is published this many times a second; the simulator's mill ticks at 10 Hz.
  const snaps = standSnapshots(o.seed, 600, Math.max(1, Math.round(o.msgsPerSecond / series.length / 10)))
  const latencies: number[] = []
  let sent = 0
  let acked = 0
  const url = new URL(o.url)
  const clients = Array.from({ length: o.clients }, () => new RawPublisher((ms) => (acked++, latencies.push(ms))))
  await Promise.all(clients.map((c, k) => c.connect(Number(url.port), url.hostname, `${o.clientPrefix}-${k}`)))
  let next = 0
  const t0 = performance.now()
  const end = t0 + o.durationMs

  await new Promise<void>((resolve) => {
    const loop = () => {
      const now = performance.now()
      if (now >= end) {
        if (acked >= sent) return resolve()
        return void setTimeout(loop, 5)
      }
      const due = Math.floor(((now - t0) / 1000) * o.msgsPerSecond) - sent
      let budget = Math.min(due, 2000)
      let published = 0
      while (budget-- > 0) {
        const s = series[next % series.length]
        const c = clients[next % o.clients]
        if (c.inflight >= o.window) break
        next++
        const ts = Math.max(Date.now(), s.lastTs + 1)
        s.lastTs = ts
        const values = snaps[s.stand][s.i++ % snaps[s.stand].length]
        sent++
        published++
        c.publish(s.topic, `{"ts":${ts},"values":${values}}`)
      }
      for (const c of clients) c.send()
      // Sleep when ahead of schedule or the windows are full: a spinning generator would take
      // the CPU the system under test needs.
      if (published === 0) setTimeout(loop, 1)
      else setImmediate(loop)
    }
    loop()
  })
  const elapsedMs = performance.now() - t0
  await Promise.all(clients.map((c) => c.close()))
  return { sent, acked, points: acked * 10, elapsedMs, latency: summarize(latencies) }
}

process.once('message', (o: LoadOptions) => {
  run(o).then(
    (report) => process.send!({ report }, () => process.exit(0)),
    (err: Error) => process.send!({ error: err.message }, () => process.exit(1)),
  )
})
