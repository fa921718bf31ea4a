// The simulator as a Sparkplug B 3.0 edge node: one node per line (group = the line unless
// told otherwise, node `{line}-gw`), one device per piece of equipment. What a real gateway
// does, and what ingest must cope with:
// - NBIRTH (seq 0, the session's bdSeq) on every connection; its NDEATH, with the same bdSeq,
//   is the MQTT will, so the broker announces the node's death when the connection is lost.
// - DBIRTH before a device's first data, declaring every metric by name + alias + datatype;
//   a metric the birth did not declare (a 1 Hz sensor first due after the birth) makes the
//   device born again with it. After that DDATA carries aliases only.
// - A device silent for longer than `deviceTimeoutMs` (a dropout fault) gets a DDEATH; it is
//   born again when it speaks. An NCMD "Node Control/Rebirth" makes the node born again.
// Pure: it turns JSON telemetry into Sparkplug messages and keeps the counters.
import { BDSEQ_METRIC, DataType, encodePayload, REBIRTH_METRIC, sparkplugTopic, type SparkplugMetric } from '../core/sparkplug-b.ts'

export interface SpMessage {
  topic: string
  payload: Uint8Array
}

interface Device {
  aliases: Map<string, number>
  /** sim time of its last data */
  lastMs: number
  born: boolean
}

export class SparkplugEdge {
  private seq = 0
  private bdSeq = 0
  private readonly devices = new Map<string, Device>()

  constructor(
    readonly group: string,
    readonly edge: string,
    private readonly deviceTimeoutMs = 2000,
  ) {}

  private next(): number {
    this.seq = (this.seq + 1) % 256
    return this.seq
  }

  /** The NDEATH to leave as the MQTT will of the coming connection. */
  will(): SpMessage {
    return { topic: sparkplugTopic(this.group, 'NDEATH', this.edge), payload: encodePayload({ metrics: [{ name: BDSEQ_METRIC, datatype: DataType.Int64, long_value: this.bdSeq }] }) }
  }

  /** After a lost connection: the next session has the next bdSeq (its will must say so too). */
  disconnected(): void {
    this.bdSeq = (this.bdSeq + 1) % 256
  }

  /** NBIRTH; every device must be born again after it. */
  birth(nowMs: number): SpMessage {
    this.seq = 0
    for (const d of this.devices.values()) d.born = false
    const metrics: SparkplugMetric[] = [
      { name: BDSEQ_METRIC, datatype: DataType.Int64, long_value: this.bdSeq, timestamp: nowMs },
      { name: REBIRTH_METRIC, datatype: DataType.Boolean, boolean_value: false, timestamp: nowMs },
    ]
    return { topic: sparkplugTopic(this.group, 'NBIRTH', this.edge), payload: encodePayload({ timestamp: nowMs, seq: 0, metrics }) }
  }

  /** An NCMD payload's metrics: does it ask for a rebirth? */
  static asksRebirth(metrics: readonly SparkplugMetric[]): boolean {
    return metrics.some((m) => m.name === REBIRTH_METRIC && m.boolean_value === true)
  }

  /** One equipment's readings at `ts` → [DBIRTH] and/or DDATA. */
  data(device: string, ts: number, values: Readonly<Record<string, number>>, out: SpMessage[]): void {
    let d = this.devices.get(device)
    if (!d) this.devices.set(device, (d = { aliases: new Map(), lastMs: ts, born: false }))
    d.lastMs = ts
    for (const name in values) if (!d.aliases.has(name)) (d.aliases.set(name, d.aliases.size + 1), (d.born = false))
    if (!d.born) {
      d.born = true
      // Every declared metric, with this message's value or null (a birth names them all).
      const metrics: SparkplugMetric[] = [...d.aliases].map(([name, alias]) =>
        name in values ? { name, alias, datatype: DataType.Double, double_value: values[name] } : { name, alias, datatype: DataType.Double, is_null: true },
      )
      out.push({ topic: sparkplugTopic(this.group, 'DBIRTH', this.edge, device), payload: encodePayload({ timestamp: ts, seq: this.next(), metrics }) })
      return
    }
    const metrics: SparkplugMetric[] = []
    for (const name in values) metrics.push({ alias: d.aliases.get(name)!, double_value: values[name] })
    out.push({ topic: sparkplugTopic(this.group, 'DDATA', this.edge, device), payload: encodePayload({ timestamp: ts, seq: this.next(), metrics }) })
  }

  /** DDEATH for devices silent longer than the timeout. */
  sweep(nowMs: number, out: SpMessage[]): void {
    for (const [id, d] of this.devices) {
      if (!d.born || nowMs - d.lastMs <= this.deviceTimeoutMs) continue
      d.born = false
      out.push({ topic: sparkplugTopic(this.group, 'DDEATH', this.edge, id), payload: encodePayload({ timestamp: nowMs, seq: this.next(), metrics: [] }) })
    }
  }
}
