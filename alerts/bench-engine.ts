// Microbenchmark of the rules engine's hot path: `npx tsx alerts/bench-engine.ts [minutes] [lines]`.
// Feeds synthetic healthy telemetry of line tcm1 (7 pieces of equipment at 10 Hz) through the
// default rules, with the 1 s timer, and prints messages/s, rule evaluations/s and the cost
// of one evaluation. With `lines` > 1 the plant has that many copies of tcm1 (as bench:alerts
// runs it, 20) and every line gets the same telemetry: the engine's state then outgrows the
// CPU's caches, as it does in production. Target (issue 4): well under 10 µs per message.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { plantFileSchema, resolvePlant } from '../core/plant.ts'
import { benchConfig } from '../bench/lib/processes.ts'
import { AlarmEngine } from './engine.ts'
import { defaultRules } from './testing/rules.ts'
import { healthyLine, T0, type Frame } from './testing/synthetic.ts'

const minutes = Number(process.argv[2] ?? 30)
const lineCount = Number(process.argv[3] ?? 1)
const lines = Array.from({ length: lineCount }, (_, i) => `tcm${i + 1}`)
const plant = resolvePlant(plantFileSchema.parse(parse(readFileSync(join(benchConfig(lineCount), 'plant.yaml'), 'utf8')))).plant!
const rules = defaultRules(plant)
const perEquipment = new Map<string, number>()
for (const r of rules) if (r.line === 'tcm1') perEquipment.set(r.equipment, (perEquipment.get(r.equipment) ?? 0) + 1)

const frames: Frame[] = healthyLine(minutes)
const messages = frames.length * lineCount
const evaluations = frames.reduce((n, f) => n + (perEquipment.get(f.equipment) ?? 0), 0) * lineCount

function once(): number {
  const engine = new AlarmEngine(rules, {}, T0)
  let changes = 0
  let nextTick = T0 + 1000
  const t0 = process.hrtime.bigint()
  for (const f of frames) {
    while (f.ts >= nextTick) {
      changes += engine.tick(nextTick).length
      nextTick += 1000
    }
    for (const line of lines) changes += engine.onTelemetry(line, f.equipment, f.ts, f.values).length
  }
  const ns = Number(process.hrtime.bigint() - t0)
  if (changes) throw new Error(`healthy telemetry raised ${changes} alarm changes`)
  return ns
}

once() // warm-up: let V8 optimise the hot path
const runs = Array.from({ length: 5 }, once).sort((a, b) => a - b)
const median = runs[2]
const fmt = (x: number) => Math.round(x).toLocaleString('en-US')
console.log(`rules: ${rules.length} on ${lineCount} line(s) (per line: ${[...perEquipment].map(([e, n]) => `${e} ${n}`).join(', ')})`)
console.log(`messages: ${fmt(messages)} (${minutes} min of ${lineCount} line(s) at 10 Hz), rule evaluations: ${fmt(evaluations)}`)
console.log(`median of 5 runs: ${(median / 1e6).toFixed(1)} ms`)
console.log(`  ${fmt(messages / (median / 1e9))} messages/s, ${fmt(evaluations / (median / 1e9))} evaluations/s`)
console.log(`  ${(median / messages / 1000).toFixed(2)} µs per message, ${(median / evaluations).toFixed(0)} ns per rule evaluation`)
