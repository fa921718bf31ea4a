// The main thread's end of the rules thread (worker.ts). Under full load, stepping every rule
// for every reading is a quarter of the main thread's time; here it runs on another core, so
// the thread that reads the sockets, stores and answers the web keeps up and a limit crossing
// is not queued behind other devices' messages. The readings of a millisecond go over in one
// message, and the engine's timer ticks follow them in order; the reports come back the same
// way and the alerts shell applies them to the alarms (engine.applyConditions). If the thread
// dies it is restarted with the rules and the alarms as they are: a rule's recent history
// (EWMA, rate window) starts afresh, and it says so.
import type { Worker } from 'node:worker_threads'
import { startWorker } from '../../core/threads.ts'
import type { Logger } from '../../core/log.ts'
import type { Plant } from '../../core/plant.ts'
import type { Values } from '../evaluate/rule.ts'
import type { Rule } from '../rules/types.ts'
import type { EquipmentCode, FromRules, ToRules } from './protocol.ts'

export interface RulesThreadOptions {
  plant: Plant
  log: Logger
  /** A report: engine.applyConditions and the handling of its changes. */
  apply(keys: readonly string[], records: Float64Array): void
  /** The alarms as they are now, for a restarted thread. */
  seeds(): Array<{ key: string; active: boolean; at: number }>
}

interface Code {
  readonly k: number
  readonly sensors: ReadonlyMap<string, number>
  /** The most numbers one message of this equipment takes. */
  readonly size: number
}

/**
 * Readings are sent at the end of the event-loop turn that got them, but at most one message a
 * millisecond (a message per turn, thousands a second under load, took 8 % of the main thread
 * in postMessage alone), or at once when this many numbers wait. Under load a turn lasts longer
 * than that, so nothing waits for a timer.
 */
const BATCH = 8192
const BATCH_MS = 1

export class RulesThread {
  private worker!: Worker
  private readonly equipment: EquipmentCode[] = []
  private readonly codes = new Map<string, Map<string, Code>>()
  private buf = new Float64Array(BATCH * 2)
  private n = 0
  private scheduled = false
  private gen = 0
  private rules: readonly Rule[] = []
  /** Each generation's rule keys, until its last report has come back. */
  private readonly keys = new Map<number, readonly string[]>()
  private closing = false
  private pings = 0
  private readonly pongs = new Map<number, () => void>()
  /** Messages sent, and the last ping with the count it followed. */
  private sent = 0
  private lastPing: { sent: number; promise: Promise<void> } | undefined
  private afterBatch: ReturnType<typeof waiter> | undefined
  private lastSent = 0
  private readonly sendLater = () => {
    this.scheduled = false
    this.flush()
  }
  private readonly sendSoon = () => {
    if (performance.now() - this.lastSent >= BATCH_MS) this.sendLater()
    else setTimeout(this.sendLater, BATCH_MS)
  }

  constructor(private readonly o: RulesThreadOptions) {
    for (const [line, l] of o.plant.lines) {
      const m = new Map<string, Code>()
      for (const [id, eq] of l.equipment) {
        const sensors = [...eq.sensors.keys()]
        m.set(id, { k: this.equipment.length, sensors: new Map(sensors.map((s, i) => [s, i])), size: 3 + 2 * sensors.length })
        this.equipment.push({ line, equipment: id, sensors })
      }
      this.codes.set(line, m)
    }
    this.start()
  }

  /** One equipment message's valid readings (ingest has checked every sensor against the plant). */
  reading(line: string, equipment: string, ts: number, values: Values): void {
    const code = this.codes.get(line)?.get(equipment)
    if (code === undefined) return
    if (this.n + code.size > this.buf.length) this.flush()
    const b = this.buf
    const p = this.n
    let q = p + 3
    for (const sensor in values) {
      const i = code.sensors.get(sensor)
      if (i === undefined) continue
      b[q++] = i
      b[q++] = values[sensor]
    }
    b[p] = code.k
    b[p + 1] = ts
    b[p + 2] = (q - p - 3) / 2
    this.n = q
    if (q >= BATCH) this.flush()
    else if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.sendSoon)
    }
  }

  /** A death certificate; readings sent before it are evaluated first. */
  stale(line: string, equipment: string, at: number): void {
    this.flush()
    this.post({ t: 'stale', line, equipment, at })
  }

  /** The engine's rules, in its order (engine.rules()): a new generation. */
  load(rules: readonly Rule[], now: number): void {
    this.flush()
    this.rules = rules
    this.keys.set(++this.gen, rules.map((r) => r.key))
    this.post({ t: 'rules', gen: this.gen, rules, now })
  }

  /** The engine's timer (every second or so): silence and pending delays, after the readings sent so far. */
  tick(now: number): void {
    this.flush()
    this.post({ t: 'tick', now })
  }

  /**
   * Resolves once everything sent so far is evaluated and its report applied. Callers in the
   * same batch share one round trip (a tap awaits this for every message).
   */
  settled(): Promise<void> {
    // Readings wait for their batch: one ping right behind it answers every caller.
    if (this.n > 0) return (this.afterBatch ??= waiter()).promise
    // Nothing sent since the last ping: its answer covers this caller too.
    if (this.lastPing && this.lastPing.sent === this.sent) return this.lastPing.promise
    return this.ping()
  }

  /** Evaluation resumes where the alarms are (after a restart of millwatch or of the thread). */
  seed(items: ReadonlyArray<{ key: string; active: boolean; at: number }>): void {
    if (items.length) this.post({ t: 'seed', items })
  }

  /** Evaluates and reports what was sent (for at most `timeoutMs`), then stops the thread. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.closing) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.settled(), new Promise((r) => (timer = setTimeout(r, timeoutMs)))])
    clearTimeout(timer)
    this.closing = true
    await this.worker.terminate()
    this.answerAll()
  }

  /** Nobody waits for a thread that is gone: what it did not evaluate is lost with its state. */
  private answerAll(): void {
    for (const resolve of this.pongs.values()) resolve()
    this.pongs.clear()
    this.afterBatch?.resolve()
    this.afterBatch = undefined
  }

  private ping(): Promise<void> {
    const id = ++this.pings
    const promise = new Promise<void>((resolve) => this.pongs.set(id, resolve))
    if (!this.closing) this.worker.postMessage({ t: 'ping', id } satisfies ToRules)
    this.lastPing = { sent: this.sent, promise }
    return promise
  }

  private flush(): void {
    if (this.n === 0) return
    const buf = this.buf.slice(0, this.n)
    this.n = 0
    this.lastSent = performance.now()
    this.post({ t: 'readings', buf }, [buf.buffer as ArrayBuffer])
    const waiting = this.afterBatch
    this.afterBatch = undefined
    if (waiting) void this.ping().then(waiting.resolve)
  }

  private post(m: ToRules, transfer?: ArrayBuffer[]): void {
    this.sent++
    if (!this.closing) this.worker.postMessage(m, transfer)
  }

  private receive(m: FromRules): void {
    if (m.t === 'pong') {
      this.pongs.get(m.id)?.()
      this.pongs.delete(m.id)
      return
    }
    const keys = this.keys.get(m.gen)
    // Reports come back in order: once one of a generation arrives, older ones are done.
    for (const g of this.keys.keys()) if (g < m.gen) this.keys.delete(g)
    if (keys) this.o.apply(keys, m.buf)
  }

  private start(): void {
    const w = startWorker('rules', new URL('./worker.ts', import.meta.url))
    this.worker = w
    w.on('message', (m: FromRules) => this.receive(m))
    w.on('error', (err) => this.o.log.error({ err }, 'the rules thread failed'))
    w.on('exit', (code) => {
      if (this.closing) return
      this.o.log.error({ code }, 'the rules thread stopped; restarting it in 1 s with the rules and alarms as they are (rates and deviations learn afresh)')
      this.answerAll()
      setTimeout(() => {
        if (this.closing) return
        this.n = 0
        this.start()
        if (this.rules.length) this.load(this.rules, Date.now())
        this.seed(this.o.seeds())
      }, 1000).unref()
    })
    this.post({ t: 'init', equipment: this.equipment })
  }
}

function waiter(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}
