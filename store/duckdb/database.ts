// The DuckDB instance and its connections, inside the worker: one writer connection (the
// group commits and maintenance, strictly one after another) and a few reader connections
// so queries run on DuckDB's threads while a commit is in flight (MVCC keeps them apart).
// After a fatal error (e.g. the disk filled up during a checkpoint) DuckDB refuses all work
// until the database is restarted, so `reopen()` rebuilds everything from the file.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { niceThreads, threadIds } from '../../core/threads.ts'
import { DDL } from './schema.ts'

export const isFatal = (err: unknown) => /invalidated|FATAL/i.test(String((err as Error)?.message ?? err))

interface Connections { instance: DuckDBInstance; writer: DuckDBConnection; readers: DuckDBConnection[] }

async function connect(file: string, readConnections: number, memoryLimit: string, nice: number): Promise<Connections> {
  const before = threadIds()
  // DuckDB allocates through its own jemalloc (Linux builds). Its background threads give
  // freed pages back to the system as they age; without them, pages freed by a reopen or a
  // finished checkpoint wait for later allocations on the same arena to be purged.
  const instance = await DuckDBInstance.create(file, { memory_limit: memoryLimit, allocator_background_threads: 'true' })
  // The threads DuckDB started for this instance (its task scheduler's) yield to ingest and
  // the rules like the store's own thread does (worker.ts).
  niceThreads([...threadIds()].filter((t) => !before.has(t)), nice)
  try {
    const writer = await instance.connect()
    for (const sql of DDL) await writer.run(sql)
    const readers: DuckDBConnection[] = []
    for (let i = 0; i < readConnections; i++) readers.push(await instance.connect())
    return { instance, writer, readers }
  } catch (err) {
    instance.closeSync()
    throw err
  }
}

function disconnect(c: Connections): void {
  for (const conn of [c.writer, ...c.readers]) {
    try {
      conn.closeSync()
    } catch {
      // already unusable; closing the instance is what matters
    }
  }
  c.instance.closeSync()
}

export class Database {
  /** set after a fatal error: the writer must call reopen() before its next transaction */
  needsReopen = false
  private free: DuckDBConnection[]
  private readonly waiting: Array<{ res(c: DuckDBConnection): void; rej(e: Error): void }> = []
  private active = 0
  private pausing: (() => void) | undefined
  private unavailable: Error | undefined

  private constructor(
    readonly file: string,
    private conns: Connections | undefined,
    private readonly readCount: number,
    private readonly memoryLimit: string,
    private readonly nice: number,
  ) {
    this.free = [...conns!.readers]
  }

  static async open(file: string, readConnections: number, memoryLimit: string, nice = 0): Promise<Database> {
    return new Database(file, await connect(file, readConnections, memoryLimit, nice), readConnections, memoryLimit, nice)
  }

  get writer(): DuckDBConnection {
    if (!this.conns) throw this.unavailable ?? new Error('database is closed')
    return this.conns.writer
  }

  /** Runs `fn` on a free reader connection, queueing while all are busy. */
  async read<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.unavailable && !this.pausing) throw this.unavailable
    const c = this.free.pop() ?? (await new Promise<DuckDBConnection>((res, rej) => this.waiting.push({ res, rej })))
    this.active++
    try {
      return await fn(c)
    } catch (err) {
      if (isFatal(err)) this.needsReopen = true
      throw err
    } finally {
      this.active--
      if (this.pausing) {
        if (this.active === 0) this.pausing()
      } else {
        const next = this.waiting.shift()
        if (next) next.res(c)
        else this.free.push(c)
      }
    }
  }

  /** Closes and reopens the file once running reads have finished; new reads wait for it. */
  async reopen(): Promise<void> {
    const drained = new Promise<void>((res) => (this.pausing = res))
    this.free = []
    if (this.active === 0) this.pausing!()
    await drained
    if (this.conns) disconnect(this.conns)
    this.conns = undefined
    try {
      this.conns = await connect(this.file, this.readCount, this.memoryLimit, this.nice)
      this.unavailable = undefined
      this.needsReopen = false
      this.free = [...this.conns.readers]
      while (this.waiting.length && this.free.length) this.waiting.shift()!.res(this.free.pop()!)
    } catch (err) {
      this.unavailable = new Error(`DuckDB database ${this.file} could not be reopened: ${(err as Error).message}`)
      for (const w of this.waiting.splice(0)) w.rej(this.unavailable)
      throw err
    } finally {
      this.pausing = undefined
    }
  }

  close(): void {
    if (this.conns) disconnect(this.conns)
    this.conns = undefined
    this.unavailable = new Error('database is closed')
    for (const w of this.waiting.splice(0)) w.rej(this.unavailable)
  }
}
