// Payload types on the topic tree (DESIGN.md). Devices send JSON; `ts` is epoch ms or
// ISO 8601, missing means the time of receipt.

export type Timestamp = number | string

export interface TelemetryPayload {
  ts?: Timestamp
  values: Record<string, number>
}

export type CoilEventKind = 'start' | 'finish'

export interface CoilEventPayload {
  event: CoilEventKind
  coilId: string
  ts?: Timestamp
  parentId?: string
  heat?: string
  grade?: string
  entryThickness_mm?: number
  targetThickness_mm?: number
  width_mm?: number
  weight_t?: number
  length_m?: number
  [attribute: string]: unknown
}

/** One stored reading. `ts` is epoch milliseconds, UTC. */
export interface Point {
  line: string
  equipment: string
  sensor: string
  ts: number
  value: number
}

/** A coil event as stored. */
export interface CoilEvent {
  line: string
  coilId: string
  event: CoilEventKind
  ts: number
  attributes: Record<string, unknown>
}

/** One occurrence of an alarm, from activation to clearing: what the alerts part reports to
 * others (e.g. a coil's "alarms while it was on the mill"). */
export interface AlarmOccurrence {
  id: string
  line: string
  equipment: string
  sensor: string
  rule: string
  priority: 'critical' | 'high' | 'medium' | 'low'
  /** epoch ms */
  raisedAt: number
  clearedAt?: number
  value?: number
}
