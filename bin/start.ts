// The composition root: starts the parts in order and closes them in reverse. Every part is
// a function that starts it and returns a handle with close(); this file only wires them.
import { mkdirSync } from 'node:fs'
import type { Config } from '../core/config.ts'
import type { Logger } from '../core/log.ts'
import { createRegistry } from '../core/metrics.ts'
import { startBroker, type Broker } from '../broker/index.ts'
import { startIngest } from '../ingest/index.ts'
import { connectExternalSource } from '../ingest/external.ts'
import { openDuckDbStore } from '../store/duckdb/index.ts'
import { buildApp } from '../dashboard/app.ts'
import { startSimulator } from '../simulators/publisher.ts'

export interface Millwatch {
  /** where things listen, with the ports actually bound */
  urls: { http: string; mqtt: string; mqttWs?: string }
  close(): Promise<void>
}

type Closer = { name: string; close: () => Promise<unknown> }

export async function startMillwatch(config: Config, log: Logger): Promise<Millwatch> {
  const closers: Closer[] = []
  const parts: Record<string, string> = {}
  let ready = false
  const metrics = createRegistry({ defaultMetrics: true })

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
    const store = await openDuckDbStore({
      dir: config.dataDir,
      batchPoints: config.store.batchPoints,
      flushIntervalMs: config.store.flushIntervalMs,
      memoryLimit: config.store.memoryLimit,
      retention: config.store.retention,
      log: log.child({ part: 'store' }),
    })
    closers.push({ name: 'store', close: () => store.close() })
    parts.store = 'duckdb'

    const ingest = startIngest({ plant: config.plant, settings: config.ingest, log, timeseries: store.timeseries, records: store.records, metrics })
    closers.push({ name: 'ingest', close: () => ingest.close() })
    parts.ingest = 'running'

    let mqttUrl: string
    let mqttWs: string | undefined
    if (config.mqtt.url) {
      const source = await connectExternalSource({ log, ingest }, { url: config.mqtt.url, clientId: 'millwatch-ingest' })
      closers.push({ name: 'ingest-source', close: () => source.close() })
      mqttUrl = config.mqtt.url
      parts.broker = 'external'
    } else {
      const broker: Broker = await startBroker(
        { log, metrics, beforeAck: (topic, payload, clientId) => ingest.accept(topic, payload, clientId) },
        { host: config.mqtt.host, port: config.mqtt.port, wsPort: config.mqtt.wsPort },
      )
      closers.push({ name: 'broker', close: () => broker.close() })
      mqttUrl = `mqtt://${config.mqtt.host}:${broker.port}`
      mqttWs = `ws://${config.mqtt.host}:${broker.wsPort}`
      parts.broker = 'embedded'
    }

    const app = await buildApp({
      config,
      log,
      metrics,
      timeseries: store.timeseries,
      ingest,
      health: () => ({ ready, parts }),
    })
    await app.listen({ host: config.http.host, port: config.http.port })
    closers.push({ name: 'dashboard', close: () => app.close() })
    const address = app.server.address()
    const httpPort = typeof address === 'object' && address ? address.port : config.http.port
    const http = `http://${config.http.host}:${httpPort}`

    if (config.simulator.enabled) {
      const sim = await startSimulator({
        url: mqttUrl,
        seed: config.simulator.seed,
        speed: config.simulator.speed,
        qos: 1,
        clientId: `millwatch-simulator-${process.pid}`,
        log: log.child({ part: 'simulator' }),
      })
      // The simulator stops first so its last readings are acknowledged before the broker goes.
      closers.push({ name: 'simulator', close: () => sim.close() })
      parts.simulator = 'running'
    }
    ready = true
    return { urls: { http, mqtt: mqttUrl, mqttWs }, close: closeAll }
  } catch (err) {
    await closeAll()
    throw err
  }
}
