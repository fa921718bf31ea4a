// The live view's update delay: as a device, publish a reading with a value nobody else sends
// (QoS 1, to the service's broker) and time how long until it shows in the live stream the
// dashboard's live page reads (GET /api/live/stream, server-sent events). The simulator keeps
// publishing the same line meanwhile, so the stream is as busy as on a running mill; a probe
// the simulator's own 1 Hz reading of the series replaced before the next frame is a miss,
// counted apart, not a delay.
import mqtt from 'mqtt'
import { openSse } from '../lib/sse.ts'

export interface ProbeResult {
  delaysMs: number[]
  missed: number
  streamStatus: number
}

/** flatness_IU: a 1 Hz series with no alarm rule (config/rules.yaml), so probes raise nothing. */
const EQUIPMENT = 'exit'
const SENSOR = 'flatness_IU'
const marker = (i: number) => Math.round((11.5 + i / 1000) * 1000) / 1000

export async function probeLive(o: { http: string; mqtt: string; line: string; headers: Record<string, string>; probes: number; intervalMs: number }): Promise<ProbeResult> {
  const sent = new Map<number, number>()
  const delaysMs: number[] = []
  const series = `${EQUIPMENT}/${SENSOR}`
  const stream = openSse(`${o.http}/api/live/stream?line=${o.line}`, o.headers, (event, data) => {
    if (event !== 'values') return
    const v = (JSON.parse(data) as { values?: Record<string, [number, number]> }).values?.[series]
    if (!v) return
    const at = sent.get(v[1])
    if (at !== undefined) (delaysMs.push(performance.now() - at), sent.delete(v[1]))
  })
  const streamStatus = await stream.opened
  const client = await mqtt.connectAsync(o.mqtt, { clientId: `bench-dashboard-probe-${process.pid}`, protocolVersion: 4 })
  try {
    for (let i = 0; i < o.probes; i++) {
      const value = marker(i)
      const payload = JSON.stringify({ ts: Date.now(), values: { [SENSOR]: value } })
      sent.set(value, performance.now())
      await client.publishAsync(`plant/${o.line}/${EQUIPMENT}/telemetry`, payload, { qos: 1 })
      await new Promise((r) => setTimeout(r, o.intervalMs))
    }
    // The last probe's frame may still be on its way.
    await new Promise((r) => setTimeout(r, 2000))
  } finally {
    await client.endAsync()
    stream.close()
  }
  return { delaysMs, missed: sent.size, streamStatus }
}
