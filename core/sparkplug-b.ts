// Eclipse Sparkplug B 3.0 on the wire: the topic namespace (spec chapter 4, "Topics and
// Messages") and the protobuf payload (chapter 6, the schema Eclipse Tahu publishes as
// sparkplug_b.proto). It is part of
// the public contract like core/topics.ts: gateways (the simulator among them) encode with it,
// ingest decodes with it. It imports nothing of millwatch, only protobufjs.
//
// The schema is written out here rather than taken from the `sparkplug-payload` package,
// which pins old majors of protobufjs and mqtt. Nested structures millwatch does not read
// (DataSet, Template, PropertySet, MetaData, extensions) are declared as `bytes`: a
// length-delimited message and `bytes` share wire type 2, so the payload decodes the same,
// the nested part is kept unparsed, and a hostile Template nested 10 000 deep cannot
// exhaust the stack.
import protobuf from 'protobufjs'

export const SPARKPLUG_NAMESPACE = 'spBv1.0'
/** Everything Sparkplug, for a subscription. */
export const TOPIC_SPARKPLUG = `${SPARKPLUG_NAMESPACE}/#`
/** Whether a topic is under spBv1.0/ (cheap: the hot path asks it of every message). */
export const isSparkplugTopic = (topic: string) => topic.startsWith(SPARKPLUG_NAMESPACE) && topic.charCodeAt(SPARKPLUG_NAMESPACE.length) === 47 /* / */

const PROTO = `
syntax = "proto2";
package org.eclipse.tahu.protobuf;
message Payload {
  message Metric {
    optional string name = 1;
    optional uint64 alias = 2;
    optional uint64 timestamp = 3;
    optional uint32 datatype = 4;
    optional bool is_historical = 5;
    optional bool is_transient = 6;
    optional bool is_null = 7;
    optional bytes metadata = 8;      // MetaData, not read
    optional bytes properties = 9;    // PropertySet, not read
    // The spec's "oneof value": at most one is set. Plain optional fields are the same on the
    // wire and spare protobufjs' oneof bookkeeping (it deletes the siblings of each field it
    // sets: decoding ran at half the speed, docs/benchmarks.md); which one is set: valueField.
    optional uint32 int_value = 10;
    optional uint64 long_value = 11;
    optional float float_value = 12;
    optional double double_value = 13;
    optional bool boolean_value = 14;
    optional string string_value = 15;
    optional bytes bytes_value = 16;
    optional bytes dataset_value = 17;       // DataSet, not read
    optional bytes template_value = 18;      // Template, not read
    optional bytes extension_value = 19;     // MetricValueExtension, not read
  }
  optional uint64 timestamp = 1;
  repeated Metric metrics = 2;
  optional uint64 seq = 3;
  optional string uuid = 4;
  optional bytes body = 5;
}
`

export const PayloadType = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('org.eclipse.tahu.protobuf.Payload')

/** Sparkplug B data types (the DataType enum of the spec's schema; arrays and PropertySets not listed). */
export const DataType = {
  Unknown: 0,
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
  UUID: 15,
  DataSet: 16,
  Bytes: 17,
  File: 18,
  Template: 19,
} as const

/** A 64-bit protobuf integer as protobufjs gives it: a number, or a Long when `long` is installed. */
export type Int64 = number | { toNumber(): number; low: number; high: number; unsigned: boolean }

export interface SparkplugMetric {
  name?: string
  alias?: Int64
  timestamp?: Int64
  datatype?: number
  is_historical?: boolean
  is_null?: boolean
  int_value?: number
  long_value?: Int64
  float_value?: number
  double_value?: number
  boolean_value?: boolean
  string_value?: string
  bytes_value?: Uint8Array
  dataset_value?: Uint8Array
  template_value?: Uint8Array
  extension_value?: Uint8Array
}

export interface SparkplugPayload {
  timestamp?: Int64
  metrics: SparkplugMetric[]
  seq?: Int64
  uuid?: string
}

/** The fields of the spec's `oneof value`, in field-number order. */
export const VALUE_FIELDS = ['int_value', 'long_value', 'float_value', 'double_value', 'boolean_value', 'string_value', 'bytes_value', 'dataset_value', 'template_value', 'extension_value'] as const
export type ValueField = (typeof VALUE_FIELDS)[number]

/** The value field a decoded metric carries (the first present, should a sender set two). */
export const valueField = (m: SparkplugMetric): ValueField | undefined => VALUE_FIELDS.find((f) => Object.hasOwn(m, f))

export const encodePayload = (p: SparkplugPayload): Uint8Array => PayloadType.encode(PayloadType.fromObject(p)).finish()
/** Throws on a malformed buffer (protobufjs' RangeError / Error). */
export const decodePayload = (b: Uint8Array): SparkplugPayload => PayloadType.decode(b) as unknown as SparkplugPayload

// Topics (spec chapter 4): namespace/group_id/message_type/edge_node_id[/device_id]
export const EDGE_MESSAGES = ['NBIRTH', 'NDATA', 'NDEATH', 'DBIRTH', 'DDATA', 'DDEATH'] as const
export type EdgeMessage = (typeof EDGE_MESSAGES)[number]

export type SparkplugTopic =
  | { kind: 'edge'; group: string; type: EdgeMessage; edge: string; device?: string }
  /** NCMD, DCMD (to edge nodes) and STATE (host applications): recognised, not ingested */
  | { kind: 'command' | 'state' }
  | { kind: 'invalid' }

const DEVICE_TYPES = new Set(['DBIRTH', 'DDATA', 'DDEATH', 'DCMD'])

export function parseSparkplugTopic(topic: string): SparkplugTopic {
  const p = topic.split('/')
  if (p[0] !== SPARKPLUG_NAMESPACE) return { kind: 'invalid' }
  if (p[1] === 'STATE') return { kind: 'state' } // 3.0: spBv1.0/STATE/{host_id}
  if (p.length < 4 || p.length > 5 || !p[1] || !p[3] || p[4] === '') return { kind: 'invalid' }
  const type = p[2]
  if (DEVICE_TYPES.has(type) !== (p.length === 5)) return { kind: 'invalid' }
  if (type === 'NCMD' || type === 'DCMD') return { kind: 'command' }
  if (!(EDGE_MESSAGES as readonly string[]).includes(type)) return { kind: 'invalid' }
  return { kind: 'edge', group: p[1], type: type as EdgeMessage, edge: p[3], device: p[4] }
}

export const sparkplugTopic = (group: string, type: EdgeMessage | 'NCMD' | 'DCMD', edge: string, device?: string) =>
  `${SPARKPLUG_NAMESPACE}/${group}/${type}/${edge}${device === undefined ? '' : `/${device}`}`

/** The NBIRTH metric a host application writes `true` to, in an NCMD, to ask for a rebirth. */
export const REBIRTH_METRIC = 'Node Control/Rebirth'
/** The birth/death sequence number, in NBIRTH and in the NDEATH will: a death whose bdSeq is not the birth's is an old session's. */
export const BDSEQ_METRIC = 'bdSeq'
