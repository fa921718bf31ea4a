// The composition root: starts the parts in order and closes them in reverse. Every part is
// a function that starts it and returns a handle with close(); this file only wires them.
import { mkdirSync, readFileSync } from 'node:fs'
import { isLoopback, type Config } from '../core/config.ts'
import { Credentials } from '../core/credentials.ts'
import { ConfigError } from '../core/errors.ts'
import { Sessions } from '../dashboard/auth/sessions.ts'
import type { Logger } from '../core/log.ts'
import { Gauge } from 'prom-client'
import { createRegistry } from '../core/metrics.ts'
import { startBroker, type Broker } from '../broker/index.ts'
import { startIngest, type ReadingsListener } from '../ingest/index.ts'
import { openDuckDbStore } from '../store/duckdb/index.ts'
import { openTimeSeries } from '../store/select.ts'
import { openAlarmRecords } from '../store/duckdb/records-alarms.ts'
import { alarmsDuring } from '../alerts/during.ts'
import { startCoils } from '../coils/service.ts'
import { startSuspectMarking } from '../coils/suspect.ts'
import { openCoilRecords } from '../store/duckdb/records-coils.ts'
import { openProductionRecords, openShiftReportRecords } from '../store/duckdb/records-production.ts'
import { startShiftReports } from '../dashboard/kpi/report-schedule.ts'
import { buildApp } from '../dashboard/app.ts'
import { startLiveHub } from '../dashboard/live.ts'
import { startSimulator } from '../simulators/publisher.ts'
import { describeRoles } from '../core/roles.ts'
import { startAlerting } from './parts/alerts.ts'
import { buildHealthApp, startHealthServer } from './parts/health.ts'
import { openWithLease } from './parts/lease.ts'
import { connectSources } from './parts/sources.ts'

export interface Millwatch {
  /** where things listen, with the ports actually bound */
  urls: { http: string; mqtt: string; mqttWs?: string; mqtts?: string }
  /** the loopback demo's one-time sign-in link for the first admin */
  demoSignIn?: { personId: string; url: string }
  close(): Promise<void>
}

type Closer = { name: string; close: () => Promise<unknown> }

/** Readings waiting for a commit beyond which devices are slowed down (a few seconds at full rate). */
const CONGESTED_POINTS = 500_000

/** `env` holds the notifier settings channels.yaml refers to (DINGTALK_WEBHOOK, SMTP_URL, …). */
export async function startMillwatch(config: Config, log: Logger, env: Record<string, string | undefined> = {}): Promise<Millwatch> {
  const closers: Closer[] = []
  const parts: Record<string, string> = {}
  let ready = false
  const metrics = createRegistry({ defaultMetrics: true })
  // Parts as processes (core/roles.ts): only the parts in ROLES start here.
  const roles = config.roles.set
  if (!config.roles.all) parts.roles = describeRoles(config.roles)
  // Split over an external broker, ingest gets a share of the telemetry: the parts that need
  // every reading subscribe to all of it themselves (bin/parts/sources.ts).
  const sharedIngest = !config.roles.all && config.mqtt.url !== undefined

  const closeAll = async () => {
    for (const c of closers.reverse()) {
      try {
        await c.close()
        log.debug({ part: c.name }, 'closed')
      } catch (err) {
        log.error({ err, part: c.name }, 'close failed')
      }
    }
    closers.length = 0
  }

  try {
    mkdirSync(config.dataDir, { recursive: true })
    const credentials = new Credentials(config.dataDir)
    const demo = isLoopback(config.http.host)
    checkCredentials(config, credentials, demo)
    // A standby (STANDBY=on) waits here, answering /healthz with 503 "standby", until the
    // process holding the records store stops (bin/parts/lease.ts).
    let standby: { close(): Promise<void> } | undefined
    const store = await openWithLease(
      () =>
        openDuckDbStore({
          dir: config.dataDir,
          batchPoints: config.store.batchPoints,
          flushIntervalMs: config.store.flushIntervalMs,
          memoryLimit: config.store.memoryLimit,
          nice: config.store.nice,
          reopenEveryPoints: config.store.reopenEveryPoints,
          retention: config.store.retention,
          log: log.child({ part: 'store' }),
        }),
      {
        standby: config.standby,
        log,
        onWaiting: async (holder) => {
          const health = () => ({ ready: false, status: 'standby', parts: { ...parts, lease: `waiting: ${holder} holds the records store` } })
          standby = await startHealthServer({ host: config.http.host, port: config.http.port, log, metrics, health })
        },
      },
    )
    await standby?.close()
    closers.push({ name: 'store', close: () => store.close() })
    // A gauge read from the store's file at each scrape: one number from one query.
    const sqlGauge = (name: string, help: string, sql: string) =>
      new Gauge({
        name,
        help,
        registers: [metrics],
        async collect() {
          const rows = await store.sql.all(sql).catch(() => [[NaN]])
          this.set(Number(rows[0]?.[0]))
        },
      })
    // DuckDB's own account of its memory (buffer pool, metadata, …), beside the process's RSS:
    // what grows outside it is the allocator's or V8's.
    sqlGauge('mw_store_duckdb_memory_bytes', 'Memory DuckDB accounts for (duckdb_memory()), the time-series and records file', 'SELECT sum(memory_usage_bytes)::DOUBLE FROM duckdb_memory()')
    // DuckDB's memory follows the rows the file holds (docs/benchmarks.md, Soak): this is what
    // store.retention.raw bounds. The catalogue's estimate, not a count: a scrape reads no rows.
    sqlGauge('mw_store_raw_points', 'Rows in the raw points table (DuckDB estimate); store.retention.raw bounds it', "SELECT estimated_size::DOUBLE FROM duckdb_tables() WHERE table_name = 'points'")
    // STORE=influx moves the time series to InfluxDB; the records stay in the DuckDB file.
    const series = await openTimeSeries(config, { log, metrics, duckdb: store.timeseries })
    closers.push({ name: 'timeseries', close: () => series.close() })
    Object.defineProperty(parts, 'store', { enumerable: true, get: () => series.describe() }) // live: spool, version

    // Alarms publish on the topic tree through whichever broker is in use; it starts below.
    let publish: (topic: string, payload: string) => void = () => {}
    const alarmRecords = await openAlarmRecords(store.sql)
    // The alarm state machine, notification and the escalation job: one process only.
    const alerting = roles.has('alerts')
      ? await startAlerting({ config, log, metrics, credentials, records: alarmRecords, env, publish: (topic, payload) => publish(topic, payload) })
      : undefined
    if (alerting) {
      closers.push({ name: 'alerts', close: () => alerting.close() })
      parts.alerts = alerting.status
    }
    const alerts = alerting?.alerts

    const live = startLiveHub()
    closers.push({ name: 'live', close: async () => live.close() })
    // Alarms first: they must never wait; then the live view's newest values.
    const everyReading: ReadingsListener = (line, equipment, ts, values) => {
      alerts?.onReadings(line, equipment, ts, values)
      live.onReadings(line, equipment, ts, values)
    }
    // Sparkplug B rebirth requests (NCMD) go out through the embedded broker, once it is up.
    let sendCommand: (topic: string, payload: Uint8Array) => void = () => {}
    const ingest = startIngest({
      plant: config.plant,
      settings: config.ingest,
      log,
      timeseries: series.timeseries,
      records: store.records,
      metrics,
      onReadings: sharedIngest ? undefined : everyReading,
      // Sparkplug B (docs/sparkplug.md): names from config/sparkplug.yaml; a death certificate
      // marks the equipment stale for the rules at once.
      sparkplug: config.sparkplug,
      onStale: sharedIngest ? undefined : (line, equipment, at) => alerts?.onStale(line, equipment, at),
      sendCommand: (topic, payload) => sendCommand(topic, payload),
    })
    closers.push({ name: 'ingest', close: () => ingest.close() })
    parts.ingest = roles.has('ingest') ? 'running' : roles.has('coils') ? 'coil events only' : 'not in this process'

    // Coil records follow the coil events ingest stored (coils/service.ts says why it polls them).
    const coils = roles.has('coils') ? await startCoils({
      plant: config.plant,
      people: config.people,
      products: config.products,
      publicUrl: config.publicUrl,
      log,
      timeseries: series.timeseries,
      records: store.records,
      coils: await openCoilRecords(store.sql),
      // "How it was rolled" lists every alarm active while the coil was on the mill.
      alarmsDuring: (line, from, to) => alarmsDuring(alarmRecords, line, from, to),
      suspectPriorities: config.coils.suspectPriorities,
    }) : undefined
    if (coils) closers.push({ name: 'coils', close: () => coils.close() })
    // A high-priority alarm marks the coils on the mill suspect as it happens (coils/suspect.ts).
    if (coils && alerts) {
      const suspects = startSuspectMarking({ coils, priorities: config.coils.suspectPriorities, log, activeNow: () => alerts.engine.alarms({ active: true }) })
      const unwatch = alerts.subscribe((changes) => suspects.observe(changes))
      closers.push({ name: 'suspect coils', close: async () => (unwatch(), suspects.close()) })
    }
    if (coils) parts.coils = 'running'

    let mqttUrl: string
    let mqttWs: string | undefined
    let mqtts: string | undefined
    // What millwatch's own MQTT clients (the simulator) sign in with.
    let internal: { username?: string; password?: string } = { username: config.mqtt.username, password: config.mqtt.password }
    if (config.mqtt.url) {
      const sources = await connectSources({ config, log, ingest, onReadings: everyReading, alarmsStored: alerts && (() => alerts.flushed()) })
      closers.push({ name: 'ingest-source', close: () => sources.close() })
      publish = sources.publish
      mqttUrl = config.mqtt.url
      parts.broker = 'external'
    } else {
      const broker: Broker = await startBroker(
        {
          log,
          metrics,
          credentials,
          beforeAck: (topic, payload, clientId) => ingest.accept(topic, payload, clientId),
          congested: () => series.timeseries.stats().pending > CONGESTED_POINTS,
        },
        {
          host: config.mqtt.host,
          port: config.mqtt.port,
          wsPort: config.mqtt.wsPort,
          tlsPort: config.tls ? config.mqtt.tlsPort : undefined,
          tls: config.tls,
          allowAnonymous: config.mqtt.allowAnonymous,
          limits: config.mqtt.limits,
        },
      )
      internal = broker.internal
      if (broker.tlsPort !== undefined) mqtts = `mqtts://${config.mqtt.host}:${broker.tlsPort}`
      // Alarm changes made while the parts behind it shut down are still stored, but there is no
      // broker left to carry them: stop publishing first instead of failing on a closed broker.
      const closeBroker = () => ((publish = () => {}), (sendCommand = () => {}), broker.close())
      closers.push({ name: 'broker', close: closeBroker })
      publish = (topic, payload) =>
        broker.aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false }, (err) => {
          if (err) log.warn({ err, topic }, 'could not publish an alarm change')
        })
      sendCommand = (topic, payload) => broker.aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false }, () => {})
      mqttUrl = `mqtt://${config.mqtt.host}:${broker.port}`
      mqttWs = `ws://${config.mqtt.host}:${broker.wsPort}`
      parts.broker = 'embedded'
    }

    // Production KPIs and shift reports (issue 6) read the coil records' table, which the coils part opened;
    // a report is built at each shift end (node-cron, plant time) and at start for a missed one.
    const production = coils && roles.has('dashboard') ? await openProductionRecords(store.sql) : undefined
    const reportRecords = production && (await openShiftReportRecords(store.sql))
    const shiftReports = production && reportRecords
      ? startShiftReports({ sources: { timeseries: series.timeseries, production, alarms: alarmRecords }, reports: reportRecords, plant: config.plant, people: config.people, log })
      : undefined
    if (shiftReports) closers.push({ name: 'shift-reports', close: async () => shiftReports.close() })

    const sessions = new Sessions()
    // Without the dashboard part the process still answers /healthz and /metrics here.
    const app = roles.has('dashboard') ? await buildApp({
      tls: config.tls ? { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } : undefined,
      config,
      log,
      metrics,
      timeseries: series.timeseries,
      ingest,
      coils,
      live,
      kpi: production && { production, reports: reportRecords && shiftReports && { records: reportRecords, generator: shiftReports } },
      alerts: alerting && { alerts: alerting.alerts, records: alarmRecords, escalation: alerting.escalation, timezone: config.plant.timezone },
      health: () => ({ ready, parts }),
      auth: {
        credentials,
        people: config.people,
        sessions,
        records: store.records,
        demo,
        secureCookies: config.publicUrl.startsWith('https:') || config.tls !== undefined,
      },
    }) : await buildHealthApp({ log, metrics, health: () => ({ ready, parts }) })
    await app.listen({ host: config.http.host, port: config.http.port })
    closers.push({ name: 'dashboard', close: () => app.close() })
    const address = app.server.address()
    const httpPort = typeof address === 'object' && address ? address.port : config.http.port
    const http = `${config.tls ? 'https' : 'http'}://${config.http.host}:${httpPort}`

    // Split into processes, the simulator is a service of its own (`npm run simulate`).
    if (config.simulator.enabled && config.roles.all) {
      const sim = await startSimulator({
        url: mqttUrl,
        seed: config.simulator.seed,
        speed: config.simulator.speed,
        qos: 1,
        clientId: `millwatch-simulator-${process.pid}`,
        username: internal.username,
        password: internal.password,
        log: log.child({ part: 'simulator' }),
      })
      // The simulator stops first so its last readings are acknowledged before the broker goes.
      closers.push({ name: 'simulator', close: () => sim.close() })
      parts.simulator = 'running'
    }
    ready = true
    const admin = [...config.people.byId.values()].find((p) => p.roles.includes('admin'))
    const demoSignIn = demo && admin && roles.has('dashboard') ? { personId: admin.id, url: `${http}/login/once?token=${sessions.oneTimeLink(admin.id)}` } : undefined
    return { urls: { http, mqtt: mqttUrl, mqttWs, mqtts }, demoSignIn, close: closeAll }
  } catch (err) {
    await closeAll()
    throw err
  }
}

/**
 * On loopback millwatch is a zero-setup demo. Bound to any other address it refuses to start
 * until real credentials exist: an admin with a password, and devices with credentials when
 * the broker is reachable from the network (anonymous devices are then refused).
 */
function checkCredentials(config: Config, credentials: Credentials, demo: boolean): void {
  const problems: string[] = []
  const admins = [...config.people.byId.values()].filter((p) => p.roles.includes('admin'))
  // Only a process that serves the dashboard signs people in (an ingest worker has no pages).
  if (!demo && config.roles.set.has('dashboard') && !admins.some((a) => credentials.hasPassword(a.id)))
    problems.push(
      `HTTP_HOST ${config.http.host} is reachable from the network, and no admin has a password: set one with \`npm run user -- set-password ${admins[0]?.id ?? '<admin id>'}\``,
    )
  if (!config.mqtt.url && !config.mqtt.allowAnonymous && Object.keys(credentials.devices()).length === 0)
    problems.push(`MQTT_HOST ${config.mqtt.host} is reachable from the network, and no device has credentials: add them with \`npm run user -- device set <name> --line <line> --equipment <id|*>\``)
  if (problems.length) throw new ConfigError(problems)
}
