// The simulator's edge node, decoded by ingest's Sparkplug decoder: births before data,
// aliases only in DDATA, a device born again when a new metric appears, DDEATH after
// silence, and an NDEATH will whose bdSeq matches the birth of its own session only.
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../core/config.ts'
import { decodePayload, parseSparkplugTopic } from '../core/sparkplug-b.ts'
import { createSparkplugDecoder } from '../ingest/sparkplug/index.ts'
import { DEFAULT_MAPPING } from '../ingest/sparkplug/mapping.ts'
import { parseCliArgs, UsageError } from './cli-args.ts'
import { SparkplugEdge, type SpMessage } from './sparkplug.ts'

const { plant } = loadConfig({})
const t0 = Date.parse('2026-11-25T10:00:00Z')
const limits = { maxPayloadBytes: 65536, maxFutureSkewMs: 60_000, maxPastAgeMs: 86_400_000 }

function rig() {
  const edge = new SparkplugEdge('tcm1', 'tcm1-gw', 2000)
  const ingest = createSparkplugDecoder(plant, DEFAULT_MAPPING, limits)
  const take = (m: SpMessage) => ingest.accept(parseSparkplugTopic(m.topic) as never, m.payload, t0 + 5000)
  return { edge, ingest, take }
}

describe('the simulator as a Sparkplug B edge node', () => {
  it('births, then aliases only; a new metric brings a new DBIRTH; every value arrives under its own name', () => {
    const { edge, take } = rig()
    const out: SpMessage[] = []
    take(edge.birth(t0))
    edge.data('stand3', t0, { speed_mps: 12.5, vibration_mm_s: 2.1 }, out)
    edge.data('stand3', t0 + 100, { speed_mps: 12.6, vibration_mm_s: 2.2 }, out)
    edge.data('stand3', t0 + 200, { speed_mps: 12.7, vibration_mm_s: 2.3, bearing_temp_C: 60.5 }, out)
    expect(out.map((m) => m.topic.split('/')[2])).toEqual(['DBIRTH', 'DDATA', 'DBIRTH'])
    expect(decodePayload(out[1].payload).metrics.every((m) => !Object.hasOwn(m, 'name') && Object.hasOwn(m, 'alias'))).toBe(true)
    const results = out.map(take)
    expect(results.flatMap((r) => r.rejects)).toEqual([])
    expect(results.flatMap((r) => r.points).map((p) => `${p.equipment}/${p.sensor}@${p.ts - t0}=${p.value}`)).toEqual([
      'stand3/speed_mps@0=12.5', 'stand3/vibration_mm_s@0=2.1', 'stand3/speed_mps@100=12.6', 'stand3/vibration_mm_s@100=2.2',
      'stand3/speed_mps@200=12.7', 'stand3/vibration_mm_s@200=2.3', 'stand3/bearing_temp_C@200=60.5',
    ])
  })

  it('a silent device gets a DDEATH (its equipment goes stale) and is born again when it speaks', () => {
    const { edge, take } = rig()
    const out: SpMessage[] = []
    take(edge.birth(t0))
    edge.data('stand2', t0, { speed_mps: 1 }, out)
    edge.sweep(t0 + 1000, out)
    edge.sweep(t0 + 2500, out)
    edge.sweep(t0 + 3000, out)
    edge.data('stand2', t0 + 4000, { speed_mps: 1 }, out)
    expect(out.map((m) => m.topic.split('/').slice(2).join('/'))).toEqual(['DBIRTH/tcm1-gw/stand2', 'DDEATH/tcm1-gw/stand2', 'DBIRTH/tcm1-gw/stand2'])
    expect(out.map(take).flatMap((r) => r.stale)).toEqual([{ line: 'tcm1', equipment: 'stand2' }])
  })

  it('the will carries the session bdSeq: an old session\'s will does not kill the new one', () => {
    const { edge, take } = rig()
    const out: SpMessage[] = []
    const oldWill = edge.will()
    take(edge.birth(t0))
    edge.disconnected()
    take(edge.birth(t0 + 10)) // reconnected before the broker gave up on the old connection
    edge.data('exit', t0 + 20, { thickness_um: 1500 }, out)
    out.forEach(take)
    expect(take(oldWill).stale).toEqual([])
    expect(take(edge.will()).stale).toEqual([{ line: 'tcm1', equipment: 'exit' }])
  })

  it('command line: --protocol sparkplug with a group; what does not fit is refused, every problem at once', () => {
    expect(parseCliArgs(['--protocol', 'sparkplug', '--sparkplug-group', 'ColdMill'], {}, t0)).toMatchObject({ protocol: 'sparkplug', sparkplugGroup: 'ColdMill' })
    const problems = (args: string[]) => {
      try {
        parseCliArgs(args, {}, t0)
        return []
      } catch (err) {
        return (err as UsageError).problems
      }
    }
    expect(problems(['--protocol', 'mqtt'])).toEqual(['--protocol mqtt: must be json or sparkplug'])
    expect(problems(['--sparkplug-group', 'a/b'])).toHaveLength(2) // bad id, and no --protocol sparkplug
    expect(problems(['--protocol', 'sparkplug', '--clients', '2', '--dry-run'])).toHaveLength(2)
  })
})
