// Where the messages come from on an external broker (MQTT_URL), by the parts this process
// runs (issue 7). One process with every part keeps one subscription to all telemetry and coil
// events (as before). Split into processes:
// - an ingest worker joins the MQTT 5 shared subscription `$share/ingest/plant/+/+/telemetry`
//   under its own persistent session (client id from INGEST_WORKER_ID): the broker hands each
//   message to one worker, and the PUBACK leaves only after the commit (ingest/external.ts);
// - the process with alerts, coils or the dashboard needs *every* message: it subscribes
//   normally (not shared) — telemetry through the readings tap for the rules and the live
//   view, coil events into the records store — under one stable client id, which a standby
//   inherits with the session and whatever was queued for it while the primary was away.
import type { Config } from '../../core/config.ts'
import type { Logger } from '../../core/log.ts'
import { SHARED_TELEMETRY, TOPIC_COIL, TOPIC_TELEMETRY } from '../../core/topics.ts'
import { connectExternalSource } from '../../ingest/external.ts'
import type { Ingest, ReadingsListener } from '../../ingest/index.ts'
import { readingsTap } from '../../ingest/tap.ts'

export interface SourcesContext {
  config: Config
  log: Logger
  ingest: Ingest
  /** every valid reading (alarm rules, live view) */
  onReadings: ReadingsListener
  /** resolves once the alarm changes so far are stored (the tap's PUBACK waits for it) */
  alarmsStored?: () => Promise<void>
}

export interface Sources {
  /** publishes an alarm change on the external broker */
  publish: (topic: string, payload: string) => void
  close(): Promise<void>
}

export async function connectSources(ctx: SourcesContext): Promise<Sources> {
  const { config, log } = ctx
  const url = config.mqtt.url!
  const login = { username: config.mqtt.username, password: config.mqtt.password }
  if (config.roles.all) {
    const source = await connectExternalSource({ log, ingest: ctx.ingest }, { url, clientId: 'millwatch-ingest', ...login })
    return { publish: (topic, payload) => void source.client.publish(topic, payload, { qos: 1 }), close: () => source.close() }
  }
  const has = (r: 'ingest' | 'alerts' | 'coils' | 'dashboard') => config.roles.set.has(r)
  const opened: Awaited<ReturnType<typeof connectExternalSource>>[] = []
  const close = async () => void (await Promise.all(opened.map((s) => s.close())))
  try {
    if (has('ingest'))
      opened.push(await connectExternalSource({ log, ingest: ctx.ingest }, { url, clientId: `millwatch-ingest-${config.ingestWorkerId}`, topics: [SHARED_TELEMETRY], ...login }))
    const followers = (['alerts', 'coils', 'dashboard'] as const).filter(has)
    if (followers.length) {
      const topics = [...(has('alerts') || has('dashboard') ? [TOPIC_TELEMETRY] : []), ...(has('coils') ? [TOPIC_COIL] : [])]
      const tap = readingsTap({ plant: config.plant, settings: config.ingest, log, onReadings: ctx.onReadings, alarmsStored: ctx.alarmsStored, other: has('coils') ? ctx.ingest : undefined })
      opened.push(await connectExternalSource({ log, ingest: tap }, { url, clientId: `millwatch-${followers.join('-')}`, topics, ...login }))
    }
  } catch (err) {
    await close()
    throw err
  }
  const publisher = opened.at(-1)!
  return { publish: (topic, payload) => void publisher.client.publish(topic, payload, { qos: 1 }), close }
}
