// Why a message, or one value in it, was not stored. Each reason is a label on
// mw_ingest_dead_letters_total and appears in GET /api/ingest/dead-letters.
export const REJECT_REASONS = [
  'oversized',
  'malformed_json',
  'bad_shape',
  'unknown_topic',
  'unknown_line',
  'unknown_equipment',
  'unknown_sensor',
  'non_numeric',
  'non_finite',
  'out_of_range',
  'bad_timestamp',
  'future_timestamp',
  'past_timestamp',
  // Sparkplug B (ingest/sparkplug/): not a protobuf payload, data before its birth
  // certificate, an alias the birth did not declare, a value field that contradicts the datatype
  'malformed_protobuf',
  'no_birth',
  'unknown_alias',
  'wrong_datatype',
] as const

export type RejectReason = (typeof REJECT_REASONS)[number]

export interface Reject {
  reason: RejectReason
  /** the sensor a per-value reject is about */
  sensor?: string
  detail: string
}
