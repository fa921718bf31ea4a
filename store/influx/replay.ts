// The spool's replayer: sends what waits in the disk spool to InfluxDB, oldest first, until
// the spool is empty, then tells the writer to write directly again. It retries a failed
// send 0.25 s later, doubling up to 5 s (InfluxDB down or restarting), and logs every 20th
// failure so a long outage does not flood the log.
import type { Logger } from 'pino'
import type { Spool } from './spool.ts'

export interface ReplayHooks {
  send(body: string): Promise<void>
  written(points: number, ms: number): void
  refused(points: number, err: Error): void
  /** true when InfluxDB refused the points themselves (retrying cannot help) */
  permanent(err: unknown): boolean
  /** the spool is empty: called in the same tick as the last look at it */
  drained(): void
}

export class Replayer {
  private running: Promise<void> | undefined
  private stopped = false
  private wake: (() => void) | undefined

  constructor(private readonly spool: Spool, private readonly replayPoints: number, private readonly hooks: ReplayHooks, private readonly log: Logger) {}

  /** Starts replaying unless it already is (or was stopped). */
  start(): void {
    if (this.stopped || this.running) return
    this.running = this.run()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.()
    await this.running
  }

  private async run() {
    let delay = 250
    let failures = 0
    while (!this.stopped) {
      let step: 'empty' | 'busy' | 'sent' | 'failed'
      try {
        step = await this.once()
      } catch (err) {
        step = 'failed'
        if (failures % 20 === 0) this.log.warn({ err: (err as Error).message, spooledPoints: this.spool.points, retryInMs: delay }, 'InfluxDB still not taking writes; readings wait in the spool')
      }
      if (step === 'empty') break
      if (step === 'busy') await this.sleep(10) // an append is still being written
      else if (step === 'failed') {
        failures++
        await this.sleep(delay)
        delay = Math.min(delay * 2, 5000)
      } else {
        if (failures) this.log.info({ spooledPoints: this.spool.points }, 'InfluxDB is taking writes again; replaying the spool')
        failures = 0
        delay = 250
      }
    }
    // In the same tick as the last look at the spool: a batch spooled from now on starts a new run.
    this.running = undefined
    if (!this.stopped && this.spool.empty) this.hooks.drained()
  }

  private async once(): Promise<'empty' | 'busy' | 'sent'> {
    const next = await this.spool.oldest(this.replayPoints)
    if (!next) return this.spool.empty ? 'empty' : 'busy'
    const started = performance.now()
    try {
      await this.hooks.send(next.body)
      this.hooks.written(next.points, performance.now() - started)
    } catch (err) {
      if (!this.hooks.permanent(err)) throw err
      this.hooks.refused(next.points, err as Error)
    }
    await this.spool.remove(next.seqs)
    return 'sent'
  }

  private sleep(ms: number) {
    return new Promise<void>((r) => {
      const t = setTimeout(r, ms)
      this.wake = () => (clearTimeout(t), r())
    })
  }
}
