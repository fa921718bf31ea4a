// Group commit, main-thread half: write() calls accumulate into one columnar batch that is
// handed to the worker when it holds `batchPoints` points or `flushIntervalMs` after its
// first point. Every write() of a batch shares one promise, settled when the worker reports
// the batch's transaction committed (or failed) — so an MQTT QoS 1 PUBACK sent on that
// promise means the reading is on disk.
import type { CoilEvent, Point } from '../../core/payloads.ts'
import { errors } from '../../core/errors.ts'
import type { SeriesDef, StoredCoilEvent, WriteBatch } from './protocol.ts'
import type { SeriesIds } from './series-ids.ts'

interface Deferred { promise: Promise<void>; resolve(): void; reject(err: Error): void; n: number }

function deferred(): Deferred {
  let resolve!: () => void
  let reject!: (err: Error) => void
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
  // Callers may drop the promise of a write that later fails; the failure is logged by
  // index.ts, so an unobserved copy must not crash the process as an unhandled rejection.
  promise.catch(() => {})
  return { promise, resolve, reject, n: 0 }
}

export class GroupCommit {
  private nextId = 1
  private cap = 4096
  private n = 0
  private sid = new Int32Array(this.cap)
  private ts = new Float64Array(this.cap)
  private value = new Float64Array(this.cap)
  private defs: SeriesDef[] = []
  private coils: StoredCoilEvent[] = []
  private current: Deferred | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly inflight = new Map<number, Deferred>()
  private inflightPoints = 0

  constructor(
    private readonly ids: SeriesIds,
    private readonly post: (batch: WriteBatch) => void,
    private readonly batchPoints: number,
    private readonly flushIntervalMs: number,
  ) {}

  /** Points accepted and not yet durable. */
  get pending(): number {
    return this.n + this.inflightPoints
  }

  addPoints(points: readonly Point[]): Promise<void> {
    // Checked here because one bad point in a group commit would fail everybody's writes.
    for (const p of points) {
      if (!Number.isSafeInteger(Math.floor(p.ts)) || typeof p.value !== 'number' ||
          typeof p.line !== 'string' || typeof p.equipment !== 'string' || typeof p.sensor !== 'string') {
        return Promise.reject(errors.badRequest(`invalid point ${p.line}/${p.equipment}/${p.sensor}: ts must be epoch ms, value a number`))
      }
    }
    const d = this.batch()
    if (this.n + points.length > this.cap) this.grow(this.n + points.length)
    // A message's points share line and equipment: their sensors' ids are looked up in one map.
    let line: string | undefined
    let equipment: string | undefined
    let sensors!: ReadonlyMap<string, number>
    for (const p of points) {
      const i = this.n++
      if (p.line !== line || p.equipment !== equipment) sensors = this.ids.sensorsOf((line = p.line), (equipment = p.equipment))
      this.sid[i] = sensors.get(p.sensor) ?? this.ids.idOf(p.line, p.equipment, p.sensor, this.defs)
      this.ts[i] = Math.floor(p.ts)
      this.value[i] = p.value
    }
    d.n += points.length
    if (this.n >= this.batchPoints) this.flush()
    return d.promise
  }

  /** One device message: readings of one piece of equipment at one time, without a Point each. */
  addReadings(line: string, equipment: string, ts: number, values: Readonly<Record<string, number>>): Promise<void> {
    const t = Math.floor(ts)
    let count = 0
    for (const sensor in values) {
      if (typeof values[sensor] !== 'number' || !Number.isSafeInteger(t))
        return Promise.reject(errors.badRequest(`invalid reading ${line}/${equipment}/${sensor}: ts must be epoch ms, value a number`))
      count++
    }
    const d = this.batch()
    if (this.n + count > this.cap) this.grow(this.n + count)
    const sensors = this.ids.sensorsOf(line, equipment)
    for (const sensor in values) {
      const i = this.n++
      this.sid[i] = sensors.get(sensor) ?? this.ids.idOf(line, equipment, sensor, this.defs)
      this.ts[i] = t
      this.value[i] = values[sensor]
    }
    d.n += count
    if (this.n >= this.batchPoints) this.flush()
    return d.promise
  }

  addCoilEvents(events: readonly CoilEvent[]): Promise<void> {
    const rows: StoredCoilEvent[] = []
    for (const e of events) {
      if (!Number.isSafeInteger(Math.floor(e.ts)) || typeof e.line !== 'string' || typeof e.coilId !== 'string' || typeof e.event !== 'string') {
        return Promise.reject(errors.badRequest(`invalid coil event ${e.line}/${e.coilId}: line, coilId, event and ts (epoch ms) are required`))
      }
      let attributes: string
      try {
        attributes = JSON.stringify(e.attributes ?? {})
      } catch (err) {
        return Promise.reject(errors.badRequest(`coil event ${e.line}/${e.coilId}: attributes are not JSON: ${(err as Error).message}`))
      }
      rows.push({ line: e.line, coilId: e.coilId, event: e.event, ts: Math.floor(e.ts), attributes })
    }
    const d = this.batch()
    this.coils.push(...rows)
    return d.promise
  }

  /** Hands the current batch to the worker now (close() and the size trigger use it). */
  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const d = this.current
    if (!d) return
    const id = this.nextId++
    const n = this.n
    // Copy to exact-size arrays and transfer them; the big buffers stay here for reuse.
    const batch: WriteBatch = {
      t: 'write', id, defs: this.defs, n, coils: this.coils,
      sid: this.sid.slice(0, n), ts: this.ts.slice(0, n), value: this.value.slice(0, n),
    }
    this.current = undefined
    this.n = 0
    this.defs = []
    this.coils = []
    this.inflight.set(id, d)
    this.inflightPoints += n
    this.post(batch)
  }

  /** Resolves when every batch handed to the worker so far has committed or failed. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.inflight.values()].map((d) => d.promise))
  }

  settle(ids: readonly number[], err?: Error): void {
    for (const id of ids) {
      const d = this.inflight.get(id)
      if (!d) continue
      this.inflight.delete(id)
      this.inflightPoints -= d.n
      if (err) d.reject(err)
      else d.resolve()
    }
  }

  /** The worker is gone: nothing pending can become durable any more. */
  failAll(err: Error): void {
    this.settle([...this.inflight.keys()], err)
    clearTimeout(this.timer)
    this.current?.reject(err)
    this.current = undefined
    this.n = 0
    this.coils = []
  }

  private batch(): Deferred {
    if (!this.current) {
      this.current = deferred()
      this.timer = setTimeout(() => this.flush(), this.flushIntervalMs)
    }
    return this.current
  }

  private grow(min: number): void {
    while (this.cap < min) this.cap *= 2
    const grow = <T extends Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const a = make(this.cap)
      a.set(old.subarray(0, this.n) as never)
      return a
    }
    this.sid = grow(this.sid, (n) => new Int32Array(n))
    this.ts = grow(this.ts, (n) => new Float64Array(n))
    this.value = grow(this.value, (n) => new Float64Array(n))
  }
}
