// Topic ACLs for Sparkplug B (core/sparkplug-b.ts): an edge node publishes only its own
// messages — NBIRTH/NDATA/NDEATH and its devices' DBIRTH/DDATA/DDEATH under
// spBv1.0/{group}/+/{edge}/# — and reads only the commands addressed to it and the host
// applications' STATE. A device record names the edge nodes it speaks for
// (`npm run user -- device set gw1 --sparkplug tcm1/gw1`). Commands (NCMD/DCMD) go to edge
// nodes, not from them: no device or anonymous client may send one, since an edge node may
// write what it receives to a PLC; millwatch's own rebirth request bypasses this check.
import { isSparkplugTopic, parseSparkplugTopic } from '../core/sparkplug-b.ts'
import type { Identity, PublishRefusal } from './acl.ts'

export const isSparkplug = isSparkplugTopic

/** An edge node a device may speak for. */
export interface SparkplugNode {
  readonly group: string
  readonly edge: string
}

const owns = (who: Identity, group: string, edge: string) =>
  who.kind === 'device' && (who.sparkplug ?? []).some((n) => (n.group === group || n.group === '*') && (n.edge === edge || n.edge === '*'))

export function sparkplugPublishRefusal(who: Exclude<Identity, { kind: 'internal' }>, topic: string): PublishRefusal | undefined {
  const t = parseSparkplugTopic(topic)
  if (t.kind !== 'edge') return 'topic_not_allowed'
  if (who.kind === 'anonymous') return undefined // the loopback demo, like plant/… telemetry
  return owns(who, t.group, t.edge) ? undefined : 'topic_not_allowed'
}

/** spBv1.0/{group}/NCMD/{edge}, spBv1.0/{group}/DCMD/{edge}/…, spBv1.0/STATE/…; anonymous clients read everything. */
export function sparkplugSubscribeAllowed(who: Exclude<Identity, { kind: 'internal' }>, levels: readonly string[]): boolean {
  if (levels.length < 2 || levels[1] === '') return false
  if (who.kind === 'anonymous') return true // as plant/#: other plant systems on this host read it all
  if (levels[1] === '#' || levels[1] === '+') return false
  if (levels[1] === 'STATE') return levels.length <= 3
  const [, group, type, edge] = levels
  if (type !== 'NCMD' && type !== 'DCMD') return false
  if (!edge || edge === '+' || edge === '#' || !owns(who, group, edge)) return false
  return type === 'NCMD' ? levels.length === 4 : levels.length === 5
}
