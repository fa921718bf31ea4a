// What ingest remembers of each Sparkplug edge node between messages (Sparkplug 3.0, chapter
// 5 "Operational behavior"): the metric names and datatypes its births declared, by alias,
// the message sequence number and the birth/death sequence number (bdSeq). No I/O: `apply`
// takes one message and says which metrics it carries (with names) and what went offline.
//
// - NBIRTH starts a node session and forgets its devices (they must be born again after it);
//   DBIRTH starts a device session. Each declares name + alias + datatype of its metrics.
// - NDATA / DDATA may carry only aliases: without a session (data before its birth, e.g.
//   after a millwatch restart) or with an alias the birth did not declare, the metric cannot
//   be named and becomes a dead letter; the caller may ask the node for a rebirth.
// - `seq` runs 0…255 over every message of a node after its NBIRTH; a gap is counted (QoS 0
//   loss, or a reconnect) and the message is used all the same.
// - NDEATH is the node's MQTT will: it counts only when its bdSeq is the current birth's — a
//   late will of an earlier connection must not kill the session that replaced it.
import { BDSEQ_METRIC, type EdgeMessage } from '../../core/sparkplug-b.ts'
import { metricValue, type DecodedMetric, type DecodedPayload } from './decode.ts'

export interface NamedMetric {
  name: string
  datatype?: number
  metric: DecodedMetric
}

export interface Applied {
  metrics: NamedMetric[]
  /** per metric or whole message (no_birth) */
  problems: { reason: 'no_birth' | 'unknown_alias'; detail: string; metric?: string }[]
  /** devices (undefined: the node itself) whose data is stale from now on */
  offline: (string | undefined)[]
  seqGap: boolean
  /** an NDEATH of an earlier connection, ignored */
  oldDeath: boolean
}

interface Table {
  byAlias: Map<number, { name: string; datatype?: number }>
  datatype: Map<string, number | undefined>
}

interface NodeSession {
  bdSeq?: number
  seq?: number
  table: Table
  devices: Map<string, Table>
}

function bdSeqOf(p: DecodedPayload): number | undefined {
  const m = p.metrics.find((x) => x.name === BDSEQ_METRIC)
  const v = m && metricValue(m.raw, m.datatype)
  return v?.kind === 'number' ? v.value : undefined
}

function tableOf(metrics: readonly DecodedMetric[]): Table {
  const t: Table = { byAlias: new Map(), datatype: new Map() }
  for (const m of metrics) {
    if (m.name === undefined) continue
    t.datatype.set(m.name, m.datatype)
    if (m.alias !== undefined) t.byAlias.set(m.alias, { name: m.name, datatype: m.datatype })
  }
  return t
}

export class SparkplugSessions {
  private readonly nodes = new Map<string, NodeSession>()

  apply(group: string, edge: string, type: EdgeMessage, device: string | undefined, p: DecodedPayload): Applied {
    const key = `${group}\u0000${edge}`
    const out: Applied = { metrics: [], problems: [], offline: [], seqGap: false, oldDeath: false }
    let node = this.nodes.get(key)

    if (type === 'NDEATH') {
      const seq = bdSeqOf(p)
      if (node && seq !== undefined && node.bdSeq !== undefined && seq !== node.bdSeq) return { ...out, oldDeath: true }
      out.offline.push(undefined, ...(node?.devices.keys() ?? []))
      this.nodes.delete(key)
      return out
    }
    if (type === 'NBIRTH') {
      node = { bdSeq: bdSeqOf(p), seq: p.seq, table: tableOf(p.metrics), devices: new Map() }
      this.nodes.set(key, node)
      return this.named(node.table, p, out)
    }
    if (!node) {
      out.problems.push({ reason: 'no_birth', detail: `no NBIRTH from edge node ${group}/${edge} since millwatch started or since its death: its metrics cannot be named` })
      return out
    }
    if (p.seq !== undefined) {
      if (node.seq !== undefined && p.seq !== (node.seq + 1) % 256) out.seqGap = true
      node.seq = p.seq
    }
    if (type === 'NDATA') return this.named(node.table, p, out)
    const id = device!
    if (type === 'DBIRTH') {
      const t = tableOf(p.metrics)
      node.devices.set(id, t)
      return this.named(t, p, out)
    }
    if (type === 'DDEATH') {
      node.devices.delete(id)
      out.offline.push(id)
      return out
    }
    const t = node.devices.get(id)
    if (!t) {
      out.problems.push({ reason: 'no_birth', detail: `no DBIRTH from device ${group}/${edge}/${id} since its node's birth: its metrics cannot be named` })
      return out
    }
    return this.named(t, p, out)
  }

  /** Devices of a node known to be online (for tests and the dashboard). */
  devices(group: string, edge: string): string[] | undefined {
    const n = this.nodes.get(`${group}\u0000${edge}`)
    return n && [...n.devices.keys()]
  }

  private named(t: Table, p: DecodedPayload, out: Applied): Applied {
    for (const m of p.metrics) {
      if (m.name !== undefined) {
        out.metrics.push({ name: m.name, datatype: m.datatype ?? t.datatype.get(m.name), metric: m })
        continue
      }
      const def = m.alias === undefined ? undefined : t.byAlias.get(m.alias)
      if (def) out.metrics.push({ name: def.name, datatype: m.datatype ?? def.datatype, metric: m })
      else out.problems.push({ reason: 'unknown_alias', detail: m.alias === undefined ? 'a metric with neither name nor alias' : `alias ${m.alias} was not declared in the birth certificate` })
    }
    return out
  }
}
