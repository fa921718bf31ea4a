// Messages between the main thread and the rules thread. Readings and reports travel as
// Float64Arrays (transferred, not copied) because there is one of each per event-loop turn
// under full load; everything else is rare and travels as plain objects.
import type { Rule } from '../rules/types.ts'

/** A piece of equipment as both threads number it: its index in `init.equipment`, its sensors by index. */
export interface EquipmentCode {
  readonly line: string
  readonly equipment: string
  readonly sensors: readonly string[]
}

/**
 * `readings.buf`: messages back to back, each [equipment, ts, n, sensor₀, value₀, …, sensorₙ₋₁, valueₙ₋₁]
 * with equipment and sensors as EquipmentCode indexes.
 */
export type ToRules =
  | { t: 'init'; equipment: readonly EquipmentCode[] }
  | { t: 'rules'; gen: number; rules: readonly Rule[]; now: number }
  | { t: 'seed'; items: ReadonlyArray<{ key: string; active: boolean; at: number }> }
  | { t: 'readings'; buf: Float64Array }
  | { t: 'stale'; line: string; equipment: string; at: number }
  /** The engine's timer: silence and pending delays are judged at `now`. */
  | { t: 'tick'; now: number }
  /** Answered with `pong` once everything before it is evaluated and reported. */
  | { t: 'ping'; id: number }

/** `buf`: engine.applyConditions' records; rule `i` is the `i`-th rule of generation `gen`. */
export type FromRules = { t: 'conditions'; gen: number; buf: Float64Array } | { t: 'pong'; id: number }
