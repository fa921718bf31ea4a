// An edge node's MQTT session (simulators/sparkplug.ts says what it sends): the NDEATH as
// the will, an NBIRTH on every (re)connection, a new bdSeq after each lost connection (its
// will updated before mqtt.js reconnects), and NCMD rebirth requests answered.
import type { MqttClient } from 'mqtt'
import type { Logger } from 'pino'
import { decodePayload, sparkplugTopic } from '../core/sparkplug-b.ts'
import { connect, type ConnectOptions } from './gateway.ts'
import { SparkplugEdge, type SpMessage } from './sparkplug.ts'

const asWill = (m: SpMessage) => ({ topic: m.topic, payload: Buffer.from(m.payload), qos: 1 as const, retain: false })

export async function connectEdge(opts: ConnectOptions, clientId: string, edge: SparkplugEdge, nowMs: () => number, log: Logger | undefined): Promise<MqttClient> {
  const client = await connect({ ...opts, will: asWill(edge.will()) }, clientId, log)
  const ncmd = sparkplugTopic(edge.group, 'NCMD', edge.edge)
  const born = () => {
    const b = edge.birth(nowMs())
    client.publish(b.topic, Buffer.from(b.payload), { qos: 1 })
  }
  const online = () => {
    client.subscribe(ncmd, { qos: 1 }) // before the birth: a host's rebirth request must not be missed
    born()
  }
  client.on('close', () => {
    edge.disconnected()
    client.options.will = asWill(edge.will())
  })
  client.on('connect', online)
  client.on('message', (topic, payload) => {
    if (topic !== ncmd) return
    try {
      if (!SparkplugEdge.asksRebirth(decodePayload(payload).metrics)) return
    } catch {
      return log?.warn({ topic }, 'an NCMD that is not a Sparkplug B payload; ignored')
    }
    log?.info({ edge: edge.edge }, 'rebirth requested')
    born()
  })
  online()
  return client
}
