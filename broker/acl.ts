// Topic ACLs of the embedded broker: pure functions of (who, topic), tested with tables.
// Like Mosquitto 2's acl_file, but derived from the device's record in credentials.json
// (lines and equipment, "*" for any) instead of a separate file a plant engineer must keep
// in step with it.
import { parseTopic } from '../core/topics.ts'
import { isSparkplug, sparkplugPublishRefusal, sparkplugSubscribeAllowed, type SparkplugNode } from './acl-sparkplug.ts'

/** Who a connection is, decided once at CONNECT. */
export type Identity =
  /** millwatch's own clients (the simulator, anything in-process that uses MQTT) */
  | { kind: 'internal' }
  /** no credentials, accepted only while anonymous clients are allowed (loopback listeners) */
  | { kind: 'anonymous' }
  | { kind: 'device'; username: string; lines: readonly string[]; equipment: readonly string[]; sparkplug?: readonly SparkplugNode[] }

export type PublishRefusal = 'reserved_topic' | 'alarm_topic' | 'topic_not_allowed'

const allows = (list: readonly string[], id: string) => list.includes('*') || list.includes(id)

/** Why `who` may not publish on `topic`, or undefined when it may. */
export function publishRefusal(who: Identity, topic: string): PublishRefusal | undefined {
  // $SYS and every other $-topic belong to the broker (MQTT 3.1.1 §4.7.2; aedes' default check).
  if (topic.charCodeAt(0) === 36 /* $ */) return 'reserved_topic'
  if (who.kind === 'internal') return undefined
  if (isSparkplug(topic)) return sparkplugPublishRefusal(who, topic)
  const t = parseTopic(topic)
  // Alarms are raised by millwatch alone (aedes.publish, which bypasses this check): a device
  // that could publish one could page a worker or hide a real alarm behind a fake "cleared".
  if (t.kind === 'alarm') return 'alarm_topic'
  if (who.kind === 'anonymous') return t.kind === 'telemetry' || t.kind === 'coil' ? undefined : 'topic_not_allowed'
  if (t.kind === 'telemetry') return allows(who.lines, t.line) && allows(who.equipment, t.equipment) ? undefined : 'topic_not_allowed'
  // Coil events are per line, not per equipment. They come from the line's tracking system
  // (or the gateway that speaks for it), so a device sends them only when its equipment list
  // is "*" or names the pseudo-equipment "coil": a stand's vibration gateway cannot invent or
  // finish coils. `npm run user -- device set trk1 --line tcm1 --equipment coil` grants it.
  if (t.kind === 'coil') return allows(who.lines, t.line) && (who.equipment.includes('*') || who.equipment.includes('coil')) ? undefined : 'topic_not_allowed'
  return 'topic_not_allowed'
}

/**
 * Whether `who` may subscribe to `filter`. Nobody gets `#`, a filter that starts with a
 * wildcard (`+/#`, `+/+/+/telemetry` span every tree on the broker) or any `$` topic ($SYS
 * tells who is connected). Anonymous clients (other plant systems on the same host) read the
 * whole plant tree; a device reads only under its own lines: `plant/{line}/...`.
 */
export function subscribeAllowed(who: Identity, filter: string): boolean {
  const levels = filter.split('/')
  const first = levels[0]
  if (first === '' || first === '#' || first === '+' || first.charCodeAt(0) === 36) return false
  if (who.kind === 'internal') return true
  if (first === 'spBv1.0') return sparkplugSubscribeAllowed(who, levels)
  if (first !== 'plant' || levels.length < 2 || levels[1] === '') return false
  if (who.kind === 'anonymous') return true
  const line = levels[1]
  if (line === '+' || line === '#') return who.lines.includes('*')
  return allows(who.lines, line)
}
