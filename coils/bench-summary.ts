// Times the process summary over a 10-minute coil at 10 Hz on the default plant's 62
// sensors (issue 5 benchmark: ≤ 1 s). Run: npx tsx coils/bench-summary.ts
import { summarizeCoil } from './summary.ts'
import { syntheticCoil } from './synthetic-coil.ts'

const RUNS = 20
const { input, points } = syntheticCoil({ from: Date.UTC(2026, 10, 25, 2), seconds: 600, hz: 10 })

// The first call also pays for compiling the loops: what a freshly started process sees.
const c0 = performance.now()
summarizeCoil(input)
const coldJit = performance.now() - c0
const times: number[] = []
let summary = summarizeCoil(input)
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now()
  summary = summarizeCoil(input)
  times.push(performance.now() - t0)
}
times.sort((a, b) => a - b)

const cold = syntheticCoil({ from: Date.UTC(2026, 10, 25, 3), seconds: 600, hz: 10, seed: 7 })
const t0 = performance.now()
summarizeCoil(cold.input)
const first = performance.now() - t0

console.log(`process summary: ${points} points, ${Object.values(input.telemetry).reduce((n, e) => n + Object.keys(e).length, 0)} series`)
console.log(`  median ${times[RUNS >> 1].toFixed(1)} ms, max ${times[RUNS - 1].toFixed(1)} ms over ${RUNS} runs`)
console.log(`  first call ${coldJit.toFixed(1)} ms (cold JIT), new data after warm-up ${first.toFixed(1)} ms`)
console.log(`  thickness mean ${summary.thickness?.mean_um.toFixed(2)} µm, Cpk ${summary.thickness?.cpk?.toFixed(2)}, length ${summary.length_m.toFixed(0)} m`)
