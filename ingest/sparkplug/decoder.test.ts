// Sparkplug B decoding, tables of messages: births with aliases, data by alias, data before
// its birth, unknown aliases, datatypes, deaths and their bdSeq, truncated protobuf; and a
// fuzz that nothing a gateway sends throws past the decoder.
import fc from 'fast-check'
import Long from 'long'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { DataType, encodePayload, parseSparkplugTopic, type SparkplugMetric, type SparkplugTopic } from '../../core/sparkplug-b.ts'
import { REJECT_REASONS } from '../reasons.ts'
import { createSparkplugDecoder } from './index.ts'
import { DEFAULT_MAPPING, parseSparkplugMapping } from './mapping.ts'

const { plant } = loadConfig({})
const limits = { maxPayloadBytes: 4096, maxFutureSkewMs: 5 * 60_000, maxPastAgeMs: 7 * 86_400_000 }
const now = Date.parse('2026-11-25T10:00:00.000Z')
type Edge = Extract<SparkplugTopic, { kind: 'edge' }>
const topic = (t: string) => parseSparkplugTopic(`spBv1.0/${t}`) as Edge
const pb = (metrics: SparkplugMetric[], seq?: number, ts = now - 100) => encodePayload({ timestamp: ts, seq, metrics })
const D = DataType

function fresh() {
  const skipped: string[] = []
  const d = createSparkplugDecoder(plant, DEFAULT_MAPPING, limits, (why) => skipped.push(why))
  const send = (t: string, metrics: SparkplugMetric[], seq?: number) => d.accept(topic(t), pb(metrics, seq), now)
  return { d, send, skipped }
}

/** A node and its stand3 device, born with aliases 1 and 2. */
function born() {
  const f = fresh()
  f.send('tcm1/NBIRTH/gw1', [{ name: 'bdSeq', datatype: D.Int64, long_value: 3 }, { name: 'Node Control/Rebirth', datatype: D.Boolean, boolean_value: false }], 0)
  const birth = f.send('tcm1/DBIRTH/gw1/stand3', [
    { name: 'vibration_mm_s', alias: 1, datatype: D.Float, float_value: 2.5 },
    { name: 'bearing_temp_C', alias: 2, datatype: D.Double, double_value: 61.5 },
  ], 1)
  return { ...f, birth }
}

describe('Sparkplug B decoding', () => {
  it('a DBIRTH declares aliases and its values are readings of the mapped equipment', () => {
    const { birth } = born()
    expect(birth.rejects).toEqual([])
    expect(birth.points).toEqual([
      { line: 'tcm1', equipment: 'stand3', sensor: 'vibration_mm_s', ts: now - 100, value: 2.5 },
      { line: 'tcm1', equipment: 'stand3', sensor: 'bearing_temp_C', ts: now - 100, value: 61.5 },
    ])
    expect(birth.readings).toEqual([{ line: 'tcm1', equipment: 'stand3', ts: now - 100, values: { vibration_mm_s: 2.5, bearing_temp_C: 61.5 } }])
  })

  it('DDATA with aliases only is named through the birth; the datatype comes from the birth', () => {
    const { send } = born()
    const r = send('tcm1/DDATA/gw1/stand3', [{ alias: 2, double_value: 63 }, { alias: 1, float_value: 3, timestamp: now - 50 }], 2)
    expect(r.rejects).toEqual([])
    expect(r.points.map((p) => [p.sensor, p.value, p.ts])).toEqual([['bearing_temp_C', 63, now - 100], ['vibration_mm_s', 3, now - 50]])
    expect(r.readings.map((x) => x.ts)).toEqual([now - 100, now - 50]) // one per time, in order
  })

  it.each([
    ['DDATA before any birth', [], 'tcm1/DDATA/gw1/stand3', 'no_birth'],
    ['DDATA before its DBIRTH', ['node'], 'tcm1/DDATA/gw1/stand3', 'no_birth'],
    ['NDATA before the NBIRTH', [], 'tcm1/NDATA/gw1', 'no_birth'],
    ['DDATA after the device died', ['node', 'device', 'ddeath'], 'tcm1/DDATA/gw1/stand3', 'no_birth'],
    ['DDATA after a new NBIRTH (devices must be born again)', ['node', 'device', 'node'], 'tcm1/DDATA/gw1/stand3', 'no_birth'],
  ])('%s is a dead letter and asks for a rebirth', (_n, before, t, reason) => {
    const f = fresh()
    for (const step of before) {
      if (step === 'node') f.send('tcm1/NBIRTH/gw1', [], 0)
      if (step === 'device') f.send('tcm1/DBIRTH/gw1/stand3', [{ name: 'speed_mps', alias: 7, datatype: D.Float, float_value: 1 }], 1)
      if (step === 'ddeath') f.send('tcm1/DDEATH/gw1/stand3', [], 2)
    }
    const r = f.send(t, [{ alias: 7, float_value: 1 }], 5)
    expect(r.points).toEqual([])
    expect(r.rejects.map((x) => x.reason)).toEqual([reason])
    expect(r.rebirth).toBe('spBv1.0/tcm1/NCMD/gw1')
  })

  it('an unknown alias rejects that metric only; rebirth requests are rate-limited', () => {
    const { send } = born()
    const r = send('tcm1/DDATA/gw1/stand3', [{ alias: 99, float_value: 1 }, { alias: 1, float_value: 2 }], 2)
    expect(r.rejects).toEqual([{ reason: 'unknown_alias', detail: 'alias 99 was not declared in the birth certificate' }])
    expect(r.points.map((p) => p.sensor)).toEqual(['vibration_mm_s'])
    expect(r.rebirth).toBeDefined()
    expect(send('tcm1/DDATA/gw1/stand3', [{ alias: 98, float_value: 1 }], 3).rebirth).toBeUndefined()
  })

  it.each<[string, SparkplugMetric, number | string]>([
    ['Int8 −1 encoded in 8 bits', { name: 'roll_gap_mm', datatype: D.Int8, int_value: 0xff }, -1],
    ['Int8 −1 encoded in 32 bits', { name: 'roll_gap_mm', datatype: D.Int8, int_value: 0xffffffff }, -1],
    ['Int16 −2', { name: 'roll_gap_mm', datatype: D.Int16, int_value: 0xfffe }, -2],
    ['Int32 −3', { name: 'roll_gap_mm', datatype: D.Int32, int_value: 0xfffffffd }, -3],
    ['UInt32', { name: 'roll_force_kN', datatype: D.UInt32, int_value: 21000 }, 21000],
    ['Int64 −4 (a Long)', { name: 'roll_gap_mm', datatype: D.Int64, long_value: Long.fromNumber(-4).toUnsigned() }, -4],
    ['UInt64', { name: 'roll_force_kN', datatype: D.UInt64, long_value: 22000 }, 22000],
    ['Boolean true → 1', { name: 'speed_mps', datatype: D.Boolean, boolean_value: true }, 1],
    ['Double', { name: 'speed_mps', datatype: D.Double, double_value: 12.25 }, 12.25],
    ['Float declared as Double (wrong datatype)', { name: 'speed_mps', datatype: D.Double, float_value: 12 }, 'wrong_datatype'],
    ['Int32 carried as a string (wrong datatype)', { name: 'speed_mps', datatype: D.Int32, string_value: '12' }, 'wrong_datatype'],
    ['no value at all', { name: 'speed_mps', datatype: D.Float }, 'wrong_datatype'],
    ['out of the sensor range', { name: 'speed_mps', datatype: D.Float, float_value: 99 }, 'out_of_range'],
    ['a metric the equipment lacks', { name: 'Drive/Torque', datatype: D.Float, float_value: 1 }, 'unknown_sensor'],
  ])('datatype: %s', (_n, metric, expected) => {
    const { send } = fresh()
    send('tcm1/NBIRTH/gw1', [], 0)
    const r = send('tcm1/DBIRTH/gw1/stand2', [metric], 1)
    if (typeof expected === 'number') expect(r.points.map((p) => p.value)).toEqual([expected])
    else expect(r.rejects.map((x) => x.reason)).toEqual([expected])
  })

  it('strings, nulls, DataSets, Templates and control metrics are counted and skipped, not errors', () => {
    const { send, skipped } = fresh()
    send('tcm1/NBIRTH/gw1', [{ name: 'bdSeq', datatype: D.Int64, long_value: 0 }], 0)
    const r = send('tcm1/DBIRTH/gw1/stand2', [
      { name: 'Firmware', datatype: D.String, string_value: '1.2' },
      { name: 'speed_mps', datatype: D.Float, is_null: true },
      { name: 'Recipe', datatype: D.DataSet, dataset_value: Buffer.from([8, 2]) },
      { name: 'Motor', datatype: D.Template, template_value: Buffer.from([10, 1, 49]) },
      { name: 'Device Control/Rebirth', datatype: D.Boolean, boolean_value: false },
      { name: 'tension_kN', datatype: D.Float, float_value: 300 },
    ], 1)
    expect(r.rejects).toEqual([])
    expect(r.points.map((p) => p.sensor)).toEqual(['tension_kN'])
    expect(skipped).toEqual(['control', 'not_telemetry', 'null', 'structured', 'structured', 'control'])
  })

  it('a seq gap is counted and the data still used', () => {
    const { send, skipped } = born()
    const r = send('tcm1/DDATA/gw1/stand3', [{ alias: 1, float_value: 2 }], 7)
    expect(r.points).toHaveLength(1)
    expect(skipped).toContain('seq_gap')
  })

  it('an NDEATH makes the node and its born devices stale; a late will of an older session is ignored', () => {
    const { send, skipped } = born()
    expect(send('tcm1/NDEATH/gw1', [{ name: 'bdSeq', datatype: D.Int64, long_value: 2 }]).stale).toEqual([])
    expect(skipped).toContain('old_death')
    expect(send('tcm1/NDEATH/gw1', [{ name: 'bdSeq', datatype: D.Int64, long_value: 3 }]).stale).toEqual([{ line: 'tcm1', equipment: 'stand3' }])
    expect(send('tcm1/DDATA/gw1/stand3', [{ alias: 1, float_value: 2 }], 3).rejects[0].reason).toBe('no_birth')
  })

  it('a DDEATH makes that device stale', () => {
    const { send } = born()
    expect(send('tcm1/DDEATH/gw1/stand3', [], 2).stale).toEqual([{ line: 'tcm1', equipment: 'stand3' }])
  })

  it('maps group, node, device and metric names through the mapping file', () => {
    const { mapping, problems } = parseSparkplugMapping(
      { groups: { ColdMill: { line: 'tcm1', metrics: { 'Drive/Speed': 'speed_mps' }, nodes: { gw7: { devices: { S2: 'stand2', X: { equipment: 'exit', metrics: { Gauge: 'thickness_um' } } } } } } } },
      plant,
    )
    expect(problems).toEqual([])
    const d = createSparkplugDecoder(plant, mapping!, limits)
    d.accept(topic('ColdMill/NBIRTH/gw7'), pb([], 0), now)
    const a = d.accept(topic('ColdMill/DBIRTH/gw7/S2'), pb([{ name: 'Drive/Speed', datatype: D.Float, float_value: 5 }], 1), now)
    const b = d.accept(topic('ColdMill/DBIRTH/gw7/X'), pb([{ name: 'Gauge', datatype: D.Float, float_value: 1500 }], 2), now)
    expect([...a.points, ...b.points].map((p) => `${p.line}/${p.equipment}/${p.sensor}=${p.value}`)).toEqual(['tcm1/stand2/speed_mps=5', 'tcm1/exit/thickness_um=1500'])
  })

  it('lists every problem of a mapping file', () => {
    const { problems } = parseSparkplugMapping({ groups: { G: { line: 'nope', nodes: { 'a/b': {} } }, tcm1: { devices: { S9: 'stand9', S2: { equipment: 'stand2', metrics: { x: 'no_sensor' } } } } }, extra: 1 }, plant)
    expect(problems).toHaveLength(2) // the shape: "a/b" and "extra"
    const second = parseSparkplugMapping({ groups: { G: { line: 'nope' }, tcm1: { devices: { S9: 'stand9', S2: { equipment: 'stand2', metrics: { x: 'no_sensor' } } } } } }, plant).problems
    expect(second).toEqual([
      'sparkplug.yaml groups.G.line: no line "nope" in the plant model',
      'sparkplug.yaml groups.tcm1.devices.S9: no equipment "stand9" on line tcm1',
      'sparkplug.yaml groups.tcm1.devices.S2.metrics.x: no sensor "no_sensor" on tcm1/stand2',
    ])
  })

  it('a truncated or garbage payload is a dead letter, not a throw', () => {
    const { send: _s, d } = born()
    const whole = pb([{ alias: 1, float_value: 2 }], 2)
    const r = d.accept(topic('tcm1/DDATA/gw1/stand3'), whole.subarray(0, whole.length - 3), now)
    expect(r.rejects.map((x) => x.reason)).toEqual(['malformed_protobuf'])
    expect(d.accept(topic('tcm1/DDATA/gw1/stand3'), Buffer.from('{"values":{}}'), now).rejects[0].reason).toBe('malformed_protobuf')
  })

  it('fuzz: arbitrary bytes and arbitrary metrics never throw, and every reject has a known reason', () => {
    const metric = fc.record(
      {
        name: fc.oneof(fc.constantFrom('vibration_mm_s', 'speed_mps', 'bdSeq', 'x'), fc.string()),
        alias: fc.nat(5),
        datatype: fc.nat(25),
        int_value: fc.nat(),
        double_value: fc.double(),
        string_value: fc.string(),
        is_null: fc.boolean(),
        timestamp: fc.nat(),
      },
      { requiredKeys: [] },
    )
    const types = fc.constantFrom('tcm1/NBIRTH/gw1', 'tcm1/NDATA/gw1', 'tcm1/NDEATH/gw1', 'tcm1/DBIRTH/gw1/stand3', 'tcm1/DDATA/gw1/stand3', 'tcm1/DDEATH/gw1/stand3')
    const { d } = fresh()
    fc.assert(
      fc.property(types, fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.array(metric, { maxLength: 6 }).map((ms) => pb(ms as SparkplugMetric[], 0))), (t, bytes) => {
        const r = d.accept(topic(t), bytes, now)
        for (const x of r.rejects) expect(REJECT_REASONS).toContain(x.reason)
        for (const p of r.points) expect(Number.isFinite(p.value)).toBe(true)
      }),
      { numRuns: 3000 },
    )
  })
})
