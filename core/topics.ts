// The unified namespace: every MQTT topic millwatch uses, declared once (DESIGN.md, "The
// public contract"). Publishers build topics with these functions, subscribers filter with
// the patterns and parse with parseTopic.

export const TOPIC_TELEMETRY = 'plant/+/+/telemetry'
export const TOPIC_COIL = 'plant/+/coil'
export const TOPIC_ALARM = 'plant/+/+/alarm'
/** MQTT 5 shared subscription for several ingest workers on an external broker. */
export const SHARED_TELEMETRY = `$share/ingest/${TOPIC_TELEMETRY}`

export const telemetryTopic = (line: string, equipment: string) => `plant/${line}/${equipment}/telemetry`
export const coilTopic = (line: string) => `plant/${line}/coil`
export const alarmTopic = (line: string, equipment: string) => `plant/${line}/${equipment}/alarm`

export type ParsedTopic =
  | { kind: 'telemetry'; line: string; equipment: string }
  | { kind: 'coil'; line: string }
  | { kind: 'alarm'; line: string; equipment: string }
  | { kind: 'other' }

/** Parses a topic without regular expressions or allocation beyond the split (hot path). */
export function parseTopic(topic: string): ParsedTopic {
  const parts = topic.split('/')
  if (parts[0] !== 'plant') return { kind: 'other' }
  if (parts.length === 3 && parts[2] === 'coil' && parts[1]) return { kind: 'coil', line: parts[1] }
  if (parts.length === 4 && parts[1] && parts[2]) {
    if (parts[3] === 'telemetry') return { kind: 'telemetry', line: parts[1], equipment: parts[2] }
    if (parts[3] === 'alarm') return { kind: 'alarm', line: parts[1], equipment: parts[2] }
  }
  return { kind: 'other' }
}
