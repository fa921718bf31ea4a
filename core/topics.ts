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

const OTHER: ParsedTopic = Object.freeze({ kind: 'other' })

function parse(topic: string): ParsedTopic {
  const parts = topic.split('/')
  if (parts[0] !== 'plant') return OTHER
  if (parts.length === 3 && parts[2] === 'coil' && parts[1]) return Object.freeze({ kind: 'coil', line: parts[1] })
  if (parts.length === 4 && parts[1] && parts[2]) {
    if (parts[3] === 'telemetry') return Object.freeze({ kind: 'telemetry', line: parts[1], equipment: parts[2] })
    if (parts[3] === 'alarm') return Object.freeze({ kind: 'alarm', line: parts[1], equipment: parts[2] })
  }
  return OTHER
}

// A plant has a few thousand topics and every message names one, twice (the broker's ACL,
// then ingest): they are parsed once and remembered. The bound keeps a client that invents
// topics from growing it; past it, the memory starts over.
const MEMO_MAX = 20_000
const memo = new Map<string, ParsedTopic>()

/** Parses a topic without regular expressions; the result is shared and frozen (hot path). */
export function parseTopic(topic: string): ParsedTopic {
  let t = memo.get(topic)
  if (t === undefined) {
    t = parse(topic)
    if (memo.size >= MEMO_MAX) memo.clear()
    memo.set(topic, t)
  }
  return t
}

/** How many parsed topics are remembered (for tests: it stays bounded). */
export const rememberedTopics = () => memo.size
