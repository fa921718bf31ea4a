// npm run bench:influx — points/s into a real InfluxDB (Debian's influxd 1.6.7, started here
// on free ports) through millwatch's InfluxDB store, beside the ceiling: the same points
// written straight with @influxdata/influxdb-client's WriteApi in 5000-point batches.
// The store is driven as ingest drives it: one write() per telemetry message (one piece of
// equipment's ~10 values), many messages outstanding, each resolved only once durable.
// Options: --seconds 5 (per phase)  --outstanding 500 (messages awaiting their write())
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { InfluxDB } from '@influxdata/influxdb-client'
import { loadConfig } from '../core/config.ts'
import type { Point } from '../core/payloads.ts'
import { openInfluxStore } from '../store/influx/index.ts'
import { toLines } from '../store/influx/line-protocol.ts'
import { startInflux } from '../test/helpers/influx.ts'

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, outstanding: { type: 'string', default: '500' }, help: { type: 'boolean', default: false } } })
if (args.help) {
  console.log('npm run bench:influx -- [--seconds 5] [--outstanding 500]')
  process.exit(0)
}
const SECONDS = Number(args.seconds)
const OUTSTANDING = Number(args.outstanding)
const line = loadConfig({}).plant.lines.get('tcm1')!
const equipment = [...line.equipment.values()].map((e) => ({ id: e.id, sensors: [...e.sensors.keys()] }))
const T0 = Date.parse('2025-11-24T00:00:00Z')

/** The next tick's messages: every piece of equipment, every sensor, 1 ms apart per tick. */
function* messages(lineId: string): Generator<Point[]> {
  for (let tick = 0; ; tick++)
    for (const e of equipment) yield e.sensors.map((sensor, i) => ({ line: lineId, equipment: e.id, sensor, ts: T0 + tick, value: (tick % 1000) / 10 + i }))
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ')
const server = await startInflux({ database: 'bench' })
process.stderr.write(`InfluxDB ${server.url} started; ${SECONDS} s per phase, load average ${load()}\n`)

// 1. The ceiling: the client alone, 5000-point batches, two requests in flight.
async function ceiling(): Promise<number> {
  const api = new InfluxDB({ url: server.url }).getWriteApi('', 'bench', 'ms', { batchSize: 16, flushInterval: 0, maxRetries: 0, gzipThreshold: 1000 })
  api.path = '/write?db=bench&precision=ms'
  const gen = messages('ceiling')
  const body = () => {
    const pts: Point[] = []
    while (pts.length < 5000) pts.push(...gen.next().value!)
    return { text: toLines(pts), n: pts.length }
  }
  let points = 0
  const end = performance.now() + SECONDS * 1000
  const worker = async () => {
    while (performance.now() < end) {
      const b = body()
      api.writeRecord(b.text)
      await api.flush()
      points += b.n
    }
  }
  const t = performance.now()
  await Promise.all([worker(), worker()])
  return points / ((performance.now() - t) / 1000)
}

// 2. Through the store: a write() per message, OUTSTANDING messages awaiting durability.
async function throughStore(): Promise<{ rate: number; lastBatchMs: number }> {
  const store = await openInfluxStore({ url: server.url, bucket: 'bench', spoolDir: join(server.dir, 'spool') })
  const gen = messages('store')
  let points = 0
  const end = performance.now() + SECONDS * 1000
  const t = performance.now()
  const producer = async () => {
    while (performance.now() < end) {
      const m = gen.next().value!
      await store.timeseries.write(m)
      points += m.length
    }
  }
  await Promise.all(Array.from({ length: OUTSTANDING }, producer))
  const rate = points / ((performance.now() - t) / 1000)
  const { lastBatchMs } = store.timeseries.stats()
  if (store.spool().points) process.stderr.write(`note: ${store.spool().points} points went through the spool (InfluxDB was slow to answer)\n`)
  await store.close()
  return { rate, lastBatchMs }
}

try {
  const ceil = await ceiling()
  process.stderr.write(`ceiling done, load average ${load()}\n`)
  const s = await throughStore()
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
  console.log(`InfluxDB ${(await fetch(`${server.url}/ping`)).headers.get('x-influxdb-version')}, ${SECONDS} s per phase, load average after: ${load()}`)
  console.log(`  client WriteApi alone (ceiling)      ${fmt(ceil)} points/s`)
  console.log(`  millwatch store, write() per message  ${fmt(s.rate)} points/s  (${Math.round((s.rate / ceil) * 100)} % of the ceiling; last batch ${s.lastBatchMs.toFixed(0)} ms)`)
} finally {
  await server.close()
}
