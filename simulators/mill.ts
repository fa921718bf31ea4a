// The simulated plant: lines tcm1…tcmN, each a five-stand tandem cold mill with its own
// random streams and faults. Pure: step(simTimeMs) returns the messages of that tick, and
// the same options and the same sequence of times give the same messages.
import { BASE_HZ, lineId } from './catalog.ts'
import { resolveFaults, type FaultSpec } from './fault-spec.ts'
import { LineFaults } from './faults.ts'
import { LineModel } from './line.ts'
import { Rng } from './random.ts'
import type { Message } from './telemetry.ts'

export type { Message } from './telemetry.ts'

export interface MillOptions {
  seed: number
  /** Simulated time of the first tick, epoch ms; fault offsets count from here. */
  startMs: number
  lines?: number
  /** Ticks per second (default 10, the plant file's base rate); every sensor's rate scales with it. */
  rateHz?: number
  /** Adds aux_01 … aux_K to every piece of equipment (the plant file must declare them). */
  extraSensors?: number
  /** Fault scenarios, e.g. "bearing-wear:stand3@5m+20m". */
  faults?: readonly (string | FaultSpec)[]
}

export interface Mill {
  readonly lines: readonly string[]
  /** Advances every line to `simTimeMs` (after the previous call) and returns the messages. */
  step(simTimeMs: number): Message[]
  /** Coils finished so far, all lines. */
  coilsFinished(): number
}

export class MillOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '))
    this.name = 'MillOptionsError'
  }
}

export const MAX_LINES = 99
export const MAX_EXTRA_SENSORS = 999
export const MAX_RATE_HZ = 1000

export function createMill(o: MillOptions): Mill {
  const problems: string[] = []
  const lines = o.lines ?? 1
  const rateHz = o.rateHz ?? BASE_HZ
  const extra = o.extraSensors ?? 0
  if (!Number.isInteger(o.seed)) problems.push(`seed must be an integer, not ${o.seed}`)
  if (!Number.isFinite(o.startMs)) problems.push(`startMs must be epoch milliseconds, not ${o.startMs}`)
  if (!Number.isInteger(lines) || lines < 1 || lines > MAX_LINES) problems.push(`lines must be an integer in 1…${MAX_LINES}, not ${lines}`)
  if (!(rateHz > 0 && rateHz <= MAX_RATE_HZ)) problems.push(`rate must be in (0, ${MAX_RATE_HZ}] Hz, not ${rateHz}`)
  if (!Number.isInteger(extra) || extra < 0 || extra > MAX_EXTRA_SENSORS) problems.push(`extra sensors must be an integer in 0…${MAX_EXTRA_SENSORS}, not ${extra}`)
  const ids = Array.from({ length: Math.max(1, Math.min(lines, MAX_LINES) | 0) }, (_, i) => lineId(i))
  const { faults, problems: faultProblems } = resolveFaults(o.faults ?? [], ids, extra)
  problems.push(...faultProblems)
  if (problems.length) throw new MillOptionsError(problems)

  const root = Rng.seeded(o.seed)
  // Line k's streams are the k-th fork of the root whatever the number of lines; faults
  // draw from a stream of their own.
  const lineRngs = ids.map(() => root.fork())
  const faultRng = root.fork()
  const models = ids.map(
    (id, i) => new LineModel(i, lineRngs[i], new LineFaults(faults.filter((f) => f.line === id), o.startMs, faultRng.fork()), rateHz, extra, o.startMs),
  )
  return {
    lines: ids,
    step(simTimeMs: number): Message[] {
      const out: Message[] = []
      for (const m of models) m.step(simTimeMs, out)
      return out
    },
    coilsFinished: () => models.reduce((n, m) => n + m.coilsFinished, 0),
  }
}
