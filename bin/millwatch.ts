#!/usr/bin/env -S npx tsx
// Entry point: the only place that reads process.env. Bad configuration stops startup with
// every problem listed; SIGTERM / Ctrl-C close the parts in reverse and flush the store.
import { loadConfig, type Config } from '../core/config.ts'
import { describeRoles } from '../core/roles.ts'
import { ConfigError } from '../core/errors.ts'
import { createLogger } from '../core/log.ts'
import { startMillwatch } from './start.ts'

// `millwatch ingest alerts` runs those parts: the command line stands for ROLES and wins over it.
const args = process.argv.slice(2)
let config: Config
try {
  config = loadConfig(args.length ? { ...process.env, ROLES: args.join(',') } : process.env)
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  process.stderr.write(`millwatch cannot start: ${err.message}\n`)
  process.exit(78) // EX_CONFIG
}

const log = createLogger({ level: config.logLevel })
const started = Date.now()
const mw = await startMillwatch(config, log, process.env).catch((err: NodeJS.ErrnoException & { port?: number }) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`millwatch refuses to start: ${err.message}\n`)
    return process.exit(78)
  }
  if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
    const which = portVariable(err.port)
    process.stderr.write(`millwatch cannot start: port ${err.port} is ${err.code === 'EADDRINUSE' ? 'already in use' : 'not allowed'}${which ? `; set ${which} to another port` : ''}\n`)
  } else log.fatal({ err }, 'millwatch failed to start')
  return process.exit(1)
})

function portVariable(port?: number): string | undefined {
  if (port === config.http.port) return 'HTTP_PORT'
  if (port === config.mqtt.port) return 'MQTT_PORT'
  if (port === config.mqtt.wsPort) return 'MQTT_WS_PORT'
}

const lines = [...config.plant.lines.values()]
const sensors = lines.reduce((n, l) => n + [...l.equipment.values()].reduce((m, e) => m + e.sensors.size, 0), 0)
process.stdout.write(
  [
    `millwatch is running (${Date.now() - started} ms) — ${lines.map((l) => `${l.id}: ${l.name}`).join(', ')}, ${sensors} sensors${config.roles.all ? '' : ` — parts: ${describeRoles(config.roles)}`}`,
    config.roles.set.has('dashboard')
      ? `  web + API     ${mw.urls.http}   (API docs ${mw.urls.http}/docs, health ${mw.urls.http}/healthz)`
      : `  health        ${mw.urls.http}/healthz   metrics ${mw.urls.http}/metrics   (no dashboard in this process)`,
    config.mqtt.url
      ? `  MQTT          external broker ${config.mqtt.url}`
      : `  MQTT broker   ${mw.urls.mqtt}   WebSocket ${mw.urls.mqttWs}${mw.urls.mqtts ? `   TLS ${mw.urls.mqtts}` : ''}   (embedded; ${config.mqtt.allowAnonymous ? 'anonymous devices allowed on loopback' : 'devices need credentials'})`,
    config.store.kind === 'influx' && config.store.influx
      ? `  store         InfluxDB ${config.store.influx.url}, bucket ${config.store.influx.bucket} (time series); DuckDB in ${config.dataDir} (records)`
      : `  store         DuckDB in ${config.dataDir}`,
    mw.demoSignIn
      ? `  sign in       ${mw.demoSignIn.url}   (demo on this machine: one-time link for ${mw.demoSignIn.personId}; anyone here may read telemetry)`
      : `  sign in       ${config.roles.set.has('dashboard') ? `${mw.urls.http}/login` : '— (no dashboard in this process)'}`,
    `  simulator     ${config.simulator.enabled && config.roles.all ? `publishing ${lines[0]?.id} (SIMULATOR=off to wait for real devices)` : 'off — waiting for devices'}`,
    `  Ctrl-C stops millwatch and flushes what it has accepted.`,
    '',
  ].join('\n'),
)

let stopping = false
async function stop(signal: string) {
  if (stopping) {
    log.warn({ signal }, 'second signal: exiting without waiting')
    process.exit(1)
  }
  stopping = true
  log.info({ signal }, 'stopping: flushing and closing')
  await mw.close()
  log.info('stopped')
  log.flush?.()
  process.exit(0)
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))
