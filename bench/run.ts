// npm run bench -- <name> [options]: runs one benchmark (bench/<name>.ts) with its options, so
// `npm run bench -- alerts --seconds 40` is `npm run bench:alerts -- --seconds 40`. Without a
// name it lists them. Each benchmark prints its own figures and the peer it ran beside.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const BENCHMARKS: Record<string, string> = {
  ingest: 'MQTT → store throughput and latency beside Mosquitto (issue 2)',
  alerts: 'publish → notification latency at full ingest load (issue 4)',
  coils: 'coil scans at 200/s over 100,000 coils; a coil\'s process summary (issue 5)',
  dashboard: 'KPI overview, 30-day trend, live delay and 50 users on 30 days of history (issue 6)',
  influx: 'points/s through the InfluxDB store beside its own client (issue 7)',
  scale: '1, 2, 3 ingest workers through Mosquitto into InfluxDB beside the ceiling (issue 7)',
  sparkplug: 'Sparkplug B decoding beside JSON (issue 7)',
  soak: 'the full rate for 30 minutes with fault scenarios: memory, event loop, nothing lost (issue 3)',
}

const [name, ...rest] = process.argv.slice(2)
if (!name || !(name in BENCHMARKS)) {
  if (name) process.stderr.write(`no benchmark "${name}"\n\n`)
  process.stderr.write('npm run bench -- <name> [options]   (each takes --help or see its header)\n\n')
  for (const [n, what] of Object.entries(BENCHMARKS)) process.stderr.write(`  ${n.padEnd(10)} ${what}\n`)
  process.exit(name ? 2 : 0)
}
const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, `${name}.ts`), ...rest], { stdio: 'inherit' })
process.exit(r.status ?? 1)
