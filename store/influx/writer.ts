// Group commit onto InfluxDB with a disk spool behind it. write() calls accumulate into one
// batch, sent when it holds `batchPoints` points or `flushIntervalMs` after its first point.
// A batch is durable — and its writes resolve — at the first of: InfluxDB answered 2xx, or
// the batch is fsynced in the spool. A batch goes to the spool when InfluxDB fails it, or has
// not answered within `spoolAfterMs` (a hung server must not hold PUBACKs for long); from then
// on every new batch goes behind it, and the replayer sends the spool in order until it is
// empty. Writes resolve in the order they were made, so PUBACKs keep the order of PUBLISHes
// (MQTT 3.1.1 §4.6). A batch sent twice (spooled while its request was still under way) is
// harmless: InfluxDB keeps one point per series and timestamp.
import type { Logger } from 'pino'
import { Replayer } from './replay.ts'
import type { Spool } from './spool.ts'

export interface WriterOptions {
  batchPoints: number
  flushIntervalMs: number
  /** batches sent to InfluxDB at once; more wait in memory (they count as pending) */
  maxInFlight: number
  spoolAfterMs: number
  /** points per replay request */
  replayPoints: number
}

export interface WriterHooks {
  /** sends one body of line protocol; rejects with `statusCode` 4xx when InfluxDB refuses it for good */
  send(body: string): Promise<void>
  written(points: number, ms: number): void
  /** InfluxDB refused points for good (e.g. a field type conflict): logged and counted */
  refused(points: number, err: Error): void
}

interface Batch { body: string; points: number; settled: boolean; resolve(): void; reject(err: Error): void; done: Promise<void> }

/** 400 (1.x, 2.x) and 422 (2.x/3.x) say the points themselves are refused: retrying cannot help. */
const permanent = (err: unknown) => {
  const code = (err as { statusCode?: number }).statusCode
  return code === 400 || code === 422
}

export class InfluxWriter {
  private parts: string[] = []
  private points = 0
  private current: Batch | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly queue: Batch[] = []
  private inFlight = 0
  /** accepted, not yet durable */
  pending = 0
  /** new batches go to the spool while it holds anything */
  private spooling: boolean
  private tail: Promise<void> = Promise.resolve()
  private readonly replay: Replayer

  constructor(private readonly o: WriterOptions, private readonly spool: Spool, private readonly hooks: WriterHooks, private readonly log: Logger) {
    this.replay = new Replayer(spool, o.replayPoints, {
      ...hooks,
      permanent,
      drained: () => {
        this.spooling = false
        log.info('spool replayed: writing to InfluxDB directly again')
      },
    }, log)
    this.spooling = !spool.empty
    if (this.spooling) this.replay.start()
  }

  write(body: string, points: number): Promise<void> {
    const b = (this.current ??= this.newBatch())
    this.parts.push(body)
    this.points += points
    this.pending += points
    b.points += points
    if (this.points >= this.o.batchPoints) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), this.o.flushIntervalMs)
    return b.done
  }

  private newBatch(): Batch {
    let resolve!: () => void
    let reject!: (err: Error) => void
    const own = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
    // In order: a batch's writes settle only after every earlier batch's did (either way).
    const done = this.tail.then(() => own)
    // A failure is the callers' to handle; one that dropped its promise (or a failure that
    // comes before the earlier batches settled) must not crash the process.
    own.catch(() => {})
    done.catch(() => {})
    this.tail = done.then(
      () => {},
      () => {},
    )
    return { body: '', points: 0, settled: false, resolve, reject, done }
  }

  /** Hands the current batch on now. */
  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const b = this.current
    if (!b) return
    b.body = this.parts.join('\n')
    this.parts = []
    this.points = 0
    this.current = undefined
    if (this.spooling) void this.toSpool(b)
    else if (this.inFlight < this.o.maxInFlight) this.send(b)
    else this.queue.push(b)
  }

  private settle(b: Batch, err?: Error) {
    if (b.settled) return
    b.settled = true
    this.pending -= b.points
    if (err) b.reject(err)
    else b.resolve()
  }

  private send(b: Batch) {
    this.inFlight++
    const started = performance.now()
    const slow = setTimeout(() => {
      this.log.warn({ afterMs: this.o.spoolAfterMs }, 'InfluxDB is slow to answer a write; spooling to disk until it catches up')
      this.enterSpooling()
      void this.toSpool(b)
    }, this.o.spoolAfterMs)
    this.hooks.send(b.body).then(
      () => {
        if (!b.settled) this.hooks.written(b.points, performance.now() - started) // else the replay counts it
        this.settle(b)
      },
      (err: Error) => {
        if (b.settled) return
        if (permanent(err)) {
          this.hooks.refused(b.points, err)
          return this.settle(b)
        }
        this.log.warn({ err: err.message }, 'InfluxDB did not take a write; spooling to disk until it is back')
        this.enterSpooling()
        void this.toSpool(b)
      },
    ).finally(() => {
      clearTimeout(slow)
      this.inFlight--
      const next = this.queue.shift()
      if (next) this.spooling ? void this.toSpool(next) : this.send(next)
    })
  }

  private enterSpooling() {
    if (!this.spooling) this.spooling = true
    for (const q of this.queue.splice(0)) void this.toSpool(q)
    this.replay.start()
  }

  private async toSpool(b: Batch): Promise<void> {
    if (b.settled) return
    try {
      await this.spool.append(b.body, b.points)
      this.settle(b)
    } catch (err) {
      this.settle(b, err as Error)
    }
    this.replay.start()
  }

  /** Settles everything accepted (written or spooled), then stops the replayer. */
  async close(): Promise<void> {
    this.flush()
    await this.tail
    await this.replay.stop()
    if (!this.spool.empty) this.log.info({ spooledPoints: this.spool.points }, 'readings stay in the spool; they are replayed at the next start')
  }
}
