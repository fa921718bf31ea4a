// The main thread's end of the DuckDB worker: starts it, sends calls and write batches,
// settles their promises from the replies, and — if the worker dies — rejects everything
// still pending instead of leaving callers hanging.
import type { Worker } from 'node:worker_threads'
import { startWorker } from '../../core/threads.ts'
import type { Logger } from 'pino'
import { errors } from '../../core/errors.ts'
import type { CallName, Calls, FromWorker, SeriesDef, ToWorker, WorkerOptions, WriteBatch } from './protocol.ts'

interface PendingCall { resolve(v: unknown): void; reject(e: Error): void }

export interface ChannelEvents {
  committed(ids: number[], points: number, ms: number): void
  commitFailed(ids: number[], err: Error): void
  /** the worker stopped unexpectedly; `err` says why */
  died(err: Error): void
}

export class WorkerChannel {
  readonly worker: Worker
  private readonly calls = new Map<number, PendingCall>()
  private nextCall = 1
  private dead: Error | undefined
  private closing = false
  readonly ready: Promise<SeriesDef[]>
  readonly exited: Promise<void>

  constructor(options: WorkerOptions, private readonly log: Logger, private readonly on: ChannelEvents) {
    this.worker = startWorker('duckdb', new URL('./worker.ts', import.meta.url), { options })
    let opened: (s: SeriesDef[]) => void, failed: (e: Error) => void
    this.ready = new Promise((res, rej) => ((opened = res), (failed = rej)))
    this.exited = new Promise((res) => this.worker.once('exit', () => res()))
    this.worker.on('message', (m: FromWorker) => {
      if (m.t === 'ready') opened(m.series)
      else if (m.t === 'openFailed') {
        this.closing = true // the worker exits next; that is expected, not a crash
        failed(new Error(`cannot open DuckDB database ${options.file}: ${m.message}`))
      }
      else this.receive(m)
    })
    this.worker.on('error', (err) => this.die(err, failed))
    this.worker.on('messageerror', (err) => this.die(err, failed))
    this.worker.on('exit', (code) => {
      if (!this.closing) this.die(new Error(`DuckDB worker exited unexpectedly (code ${code})`), failed)
      else this.die(errors.unavailable('store is closed'), failed, false)
    })
  }

  call<K extends CallName>(op: K, args: Calls[K]['args']): Promise<Calls[K]['result']> {
    if (this.dead) return Promise.reject(this.dead)
    const id = this.nextCall++
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.send({ t: 'call', id, op, args })
    })
  }

  post(batch: WriteBatch): void {
    if (this.dead) return this.on.commitFailed([batch.id], this.dead)
    this.send(batch, [batch.sid.buffer, batch.ts.buffer, batch.value.buffer] as ArrayBuffer[])
  }

  /**
   * Asks the worker to commit, checkpoint and close the database, then waits for it to exit;
   * a worker that has not finished after `timeoutMs` (a query stuck in DuckDB) is terminated.
   */
  async close(timeoutMs = 30_000): Promise<void> {
    if (this.dead) return
    const done = this.call('close', {})
    this.closing = true
    const timer = setTimeout(() => {
      this.log.error('DuckDB worker did not close in time; terminating it')
      void this.worker.terminate()
    }, timeoutMs)
    try {
      await done
    } finally {
      await this.exited
      clearTimeout(timer)
    }
  }

  private send(m: ToWorker, transfer?: ArrayBuffer[]): void {
    this.worker.postMessage(m, transfer)
  }

  private receive(m: FromWorker): void {
    switch (m.t) {
      case 'committed':
        return this.on.committed(m.ids, m.points, m.ms)
      case 'commitFailed':
        return this.on.commitFailed(m.ids, errors.unavailable(`store commit failed: ${m.message}`))
      case 'reply':
      case 'error': {
        const c = this.calls.get(m.id)
        if (!c) return
        this.calls.delete(m.id)
        if (m.t === 'reply') c.resolve(m.value)
        else c.reject(new Error(m.message))
        return
      }
      case 'log':
        this.log[m.level](m.data ?? {}, m.msg)
    }
  }

  private die(err: Error, failOpen: (e: Error) => void, unexpected = true): void {
    if (this.dead) return
    const cause = unexpected ? errors.unavailable(`DuckDB worker stopped: ${err.message}`) : err
    this.dead = cause
    if (unexpected) this.log.error({ err }, 'DuckDB worker stopped; pending store operations rejected')
    failOpen(cause)
    for (const c of this.calls.values()) c.reject(cause)
    this.calls.clear()
    this.on.died(cause)
  }
}
