// The simulator without a broker: the same clock and model as startSimulator, writing each
// message as one JSON line ({"topic", "payload"}) to a stream. Two dry runs with the same
// seed and window are byte-identical, which makes the determinism easy to check by hand.
import type { Writable } from 'node:stream'
import { BASE_HZ } from './catalog.ts'
import { createMill } from './mill.ts'
import type { SimulatorHandle, SimulatorOptions, SimulatorStats } from './publisher.ts'
import { SimClock } from './sim-clock.ts'

export function startDryRun(opts: Omit<SimulatorOptions, 'url'>, out: Writable): SimulatorHandle {
  const clock = new SimClock({ ...opts, rateHz: opts.rateHz ?? BASE_HZ, speed: opts.speed ?? 1, nowMs: Date.now() })
  const mill = createMill({ seed: opts.seed ?? 1, startMs: clock.startMs, lines: opts.lines, rateHz: opts.rateHz, extraSensors: opts.extraSensors, faults: opts.faults })
  const s = { ticks: 0, messages: 0, values: 0, bytes: 0 }
  let closed = false
  let timer: NodeJS.Timeout | undefined
  let resolveDone!: () => void
  const done = new Promise<void>((r) => (resolveDone = r))

  const pump = () => {
    timer = undefined
    if (closed) return
    let chunk = ''
    for (let n = 0; n < 1000; n++) {
      const next = clock.next(performance.now(), Date.now())
      if (next.kind === 'done') {
        out.write(chunk, () => resolveDone())
        return
      }
      if (next.kind === 'wait') {
        out.write(chunk)
        timer = setTimeout(pump, next.ms)
        return
      }
      for (const m of mill.step(next.t)) {
        const line = `${JSON.stringify(m)}\n`
        chunk += line
        s.messages++
        s.bytes += line.length
        if ('values' in m.payload) s.values += Object.keys(m.payload.values as object).length
      }
      clock.advance()
      s.ticks++
    }
    // Honour the reader: wait for the pipe to drain before generating more.
    if (out.write(chunk)) setImmediate(pump)
    else out.once('drain', pump)
  }
  setImmediate(pump)

  const stats = (): SimulatorStats => ({
    mode: clock.mode,
    simTimeMs: clock.lastMs,
    ...s,
    dropped: 0,
    failed: 0,
    coils: mill.coilsFinished(),
    connected: 0,
    inflight: 0,
    lagMs: clock.lagMs(performance.now()),
    progress: clock.progress(Date.now()),
  })
  return {
    stats,
    done,
    close: async () => {
      closed = true
      if (timer) clearTimeout(timer)
      resolveDone()
    },
  }
}
