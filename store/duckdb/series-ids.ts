// The main thread's copy of the `series` dictionary: (line, equipment, sensor) → integer id.
// The process that owns the DuckDB file is its only writer, so the main thread can assign
// new ids itself and send their definitions along with the points that first use them —
// no round trip to the worker on the hot path. Nested maps avoid building a key string
// per point.
import type { SeriesDef } from './protocol.ts'

export class SeriesIds {
  private readonly byLine = new Map<string, Map<string, Map<string, number>>>()
  private nextId = 1

  constructor(existing: readonly SeriesDef[]) {
    for (const [id, line, equipment, sensor] of existing) {
      this.sensors(line, equipment).set(sensor, id)
      if (id >= this.nextId) this.nextId = id + 1
    }
  }

  /** The id of a known series, or undefined (queries on unknown series answer empty). */
  find(line: string, equipment: string, sensor: string): number | undefined {
    return this.byLine.get(line)?.get(equipment)?.get(sensor)
  }

  /** The id of a series, assigning one (and recording its definition in `created`) if new. */
  idOf(line: string, equipment: string, sensor: string, created: SeriesDef[]): number {
    const sensors = this.sensors(line, equipment)
    let id = sensors.get(sensor)
    if (id === undefined) {
      id = this.nextId++
      sensors.set(sensor, id)
      created.push([id, line, equipment, sensor])
    }
    return id
  }

  /** sensor → id of one piece of equipment (read only: new ids go through idOf). */
  sensorsOf(line: string, equipment: string): ReadonlyMap<string, number> {
    return this.sensors(line, equipment)
  }

  private sensors(line: string, equipment: string): Map<string, number> {
    let eq = this.byLine.get(line)
    if (!eq) this.byLine.set(line, (eq = new Map()))
    let s = eq.get(equipment)
    if (!s) eq.set(equipment, (s = new Map()))
    return s
  }
}
