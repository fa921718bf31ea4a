// Microbenchmark of the rules engine's hot path: `npx tsx alerts/bench-engine.ts [minutes]`.
// Feeds synthetic healthy telemetry of line tcm1 (7 pieces of equipment at 10 Hz) through the
// default rules, with the 1 s timer, and prints messages/s, rule evaluations/s and the cost
// of one evaluation. Target (issue 4): well under 10 µs per message per rule.
import { AlarmEngine } from './engine.ts'
import { defaultRules, drive } from './testing/rules.ts'
import { healthyLine, T0, type Frame } from './testing/synthetic.ts'

const minutes = Number(process.argv[2] ?? 30)
const rules = defaultRules()
const perEquipment = new Map<string, number>()
for (const r of rules) perEquipment.set(r.equipment, (perEquipment.get(r.equipment) ?? 0) + 1)

const frames: Frame[] = healthyLine(minutes)
const evaluations = frames.reduce((n, f) => n + (perEquipment.get(f.equipment) ?? 0), 0)

function once(): number {
  const engine = new AlarmEngine(rules, {}, T0)
  const t0 = process.hrtime.bigint()
  const changes = drive(engine, frames)
  const ns = Number(process.hrtime.bigint() - t0)
  if (changes.length) throw new Error(`healthy telemetry raised ${changes.length} alarm changes`)
  return ns
}

once() // warm-up: let V8 optimise the hot path
const runs = Array.from({ length: 5 }, once).sort((a, b) => a - b)
const median = runs[2]
const fmt = (x: number) => Math.round(x).toLocaleString('en-US')
console.log(`rules: ${rules.length} (${[...perEquipment].map(([e, n]) => `${e} ${n}`).join(', ')})`)
console.log(`messages: ${fmt(frames.length)} (${minutes} min of tcm1 at 10 Hz), rule evaluations: ${fmt(evaluations)}`)
console.log(`median of 5 runs: ${(median / 1e6).toFixed(1)} ms`)
console.log(`  ${fmt(frames.length / (median / 1e9))} messages/s, ${fmt(evaluations / (median / 1e9))} evaluations/s`)
console.log(`  ${(median / frames.length / 1000).toFixed(2)} µs per message, ${(median / evaluations).toFixed(0)} ns per rule evaluation`)
