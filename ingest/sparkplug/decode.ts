// Sparkplug B payload → metrics with numeric values: a pure function that never throws. Which
// field carries a metric's value follows from its datatype (Sparkplug 3.0, chapter 6: the
// DataType enum and the value oneof): integers in int_value / long_value, Float and Double in
// their fields, Boolean as 0/1. Strings, bytes, DataSets and Templates are not telemetry:
// they are counted and skipped, never stored and never an error.
import { DataType, decodePayload, valueField, type Int64, type SparkplugMetric } from '../../core/sparkplug-b.ts'

export type MetricValue =
  | { kind: 'number'; value: number }
  /** is_null, or a type millwatch does not store (string, bytes, DataSet, Template…) */
  | { kind: 'skip'; why: 'null' | 'not_telemetry' | 'structured' }
  /** the value field does not match the datatype (or is missing) */
  | { kind: 'wrong_datatype'; detail: string }

export interface DecodedMetric {
  name?: string
  alias?: number
  datatype?: number
  /** epoch ms, when the metric carries its own */
  ts?: number
  historical: boolean
  /** the raw metric, resolved against the birth's datatype by `metricValue` */
  raw: SparkplugMetric
}

export interface DecodedPayload {
  ts?: number
  seq?: number
  metrics: DecodedMetric[]
}

export const toNumber = (v: Int64 | undefined | null): number | undefined =>
  v === undefined || v === null ? undefined : typeof v === 'number' ? v : v.toNumber()

/** A signed 64-bit integer carried in the unsigned long_value field (two's complement). */
const signed64 = (v: Int64): number => {
  if (typeof v === 'number') return v > Number.MAX_SAFE_INTEGER ? v - 2 ** 64 : v
  return v.high * 2 ** 32 + (v.low >>> 0) // high is read as signed: the sign comes with it
}

/** Int8 / Int16 in int_value: sign-extended from their own width, so both 0xFF and 0xFFFFFFFF mean −1 (encoders differ). */
const signExtend = (v: number, bits: number) => (v << (32 - bits)) >> (32 - bits)

// protobufjs answers an absent optional field with its default (0, "") from the prototype: a
// missing timestamp must not read as 1970, nor a missing name as "".
const has = (o: object, k: string) => Object.hasOwn(o, k)

export function decodeSparkplug(payload: Uint8Array): { payload?: DecodedPayload; error?: string } {
  let p
  try {
    p = decodePayload(payload)
  } catch (err) {
    return { error: `not a Sparkplug B payload: ${(err as Error).message.slice(0, 160)}` }
  }
  const metrics: DecodedMetric[] = []
  for (const m of p.metrics ?? []) {
    metrics.push({
      name: has(m, 'name') ? m.name : undefined,
      alias: has(m, 'alias') ? toNumber(m.alias) : undefined,
      datatype: has(m, 'datatype') ? m.datatype : undefined,
      ts: has(m, 'timestamp') ? toNumber(m.timestamp) : undefined,
      historical: m.is_historical === true,
      raw: m,
    })
  }
  return { payload: { ts: has(p, 'timestamp') ? toNumber(p.timestamp) : undefined, seq: has(p, 'seq') ? toNumber(p.seq) : undefined, metrics } }
}

const wrong = (m: SparkplugMetric, datatype: number, need: string): MetricValue => ({
  kind: 'wrong_datatype',
  detail: `datatype ${datatype} needs ${need}, the metric has ${valueField(m) ?? 'no value'}`,
})

/** The value of a metric whose datatype is `datatype` (from the metric itself or its birth). No closures: this runs per metric. */
export function metricValue(m: SparkplugMetric, datatype: number | undefined): MetricValue {
  if (m.is_null) return { kind: 'skip', why: 'null' }
  switch (datatype) {
    case DataType.Int8:
    case DataType.Int16:
    case DataType.Int32:
    case DataType.UInt8:
    case DataType.UInt16:
    case DataType.UInt32: {
      if (!Object.hasOwn(m, 'int_value')) return wrong(m, datatype, 'int_value')
      const v = m.int_value!
      const value = datatype === DataType.Int8 ? signExtend(v, 8) : datatype === DataType.Int16 ? signExtend(v, 16) : datatype === DataType.Int32 ? v | 0 : v >>> 0
      return { kind: 'number', value }
    }
    case DataType.Int64:
    case DataType.UInt64:
      if (!Object.hasOwn(m, 'long_value')) return wrong(m, datatype, 'long_value')
      return { kind: 'number', value: datatype === DataType.Int64 ? signed64(m.long_value!) : toNumber(m.long_value)! }
    case DataType.Float:
      return Object.hasOwn(m, 'float_value') ? { kind: 'number', value: m.float_value! } : wrong(m, datatype, 'float_value')
    case DataType.Double:
      return Object.hasOwn(m, 'double_value') ? { kind: 'number', value: m.double_value! } : wrong(m, datatype, 'double_value')
    case DataType.Boolean:
      return Object.hasOwn(m, 'boolean_value') ? { kind: 'number', value: m.boolean_value ? 1 : 0 } : wrong(m, datatype, 'boolean_value')
    case DataType.DataSet:
    case DataType.Template:
      return { kind: 'skip', why: 'structured' }
    case undefined:
    case DataType.Unknown: {
      // No datatype anywhere (a sloppy gateway): take the value field as it is.
      const field = valueField(m)
      if (field === 'int_value' || field === 'float_value' || field === 'double_value') return { kind: 'number', value: m[field]! }
      if (field === 'long_value') return { kind: 'number', value: toNumber(m.long_value)! }
      if (field === 'boolean_value') return { kind: 'number', value: m.boolean_value ? 1 : 0 }
      if (field === 'dataset_value' || field === 'template_value') return { kind: 'skip', why: 'structured' }
      if (field === undefined) return { kind: 'wrong_datatype', detail: 'the metric has neither a datatype nor a value' }
      return { kind: 'skip', why: 'not_telemetry' }
    }
    default:
      return { kind: 'skip', why: 'not_telemetry' } // String, DateTime, Text, UUID, Bytes, File, arrays…
  }
}
