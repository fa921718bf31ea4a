// The DuckDB worker thread: owns the database file and answers the main thread's messages
// (protocol.ts). Writes go through the group commit; queries run on reader connections;
// maintenance and close take their turn on the writer connection.
import { parentPort, workerData } from 'node:worker_threads'
import { Committer } from './commit.ts'
import { Database, isFatal } from './database.ts'
import { DirtyMinutes } from './dirty-minutes.ts'
import { Exclusive } from './exclusive.ts'
import { maintain, type Marks } from './maintenance.ts'
import type { Calls, CallName, FromWorker, ToWorker, WorkerOptions } from './protocol.ts'
import { appendAudit, audit, buckets, coilEvents, range } from './queries.ts'
import { SeriesIndex } from './series-index.ts'
import { niceThisThread } from '../../core/threads.ts'

const port = parentPort!
const options = (workerData as { options: WorkerOptions }).options
const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer)
// Commits, rollups and checkpoints can wait a little; ingest, the rules and alarms cannot.
niceThisThread(options.nice)

/** Opens the file and rebuilds the in-memory state: series, newest points, dirty minutes. */
async function start(): Promise<{ db: Database; index: SeriesIndex; dirty: DirtyMinutes; marks: Marks }> {
  const db = await Database.open(options.file, options.readConnections, options.memoryLimit, options.nice)
  try {
    const index = new SeriesIndex()
    await index.load(db.writer)
    const dirty = new DirtyMinutes()
    await dirty.load(db.writer)
    const meta = await db.writer.runAndReadAll(`SELECT key, value::DOUBLE FROM meta`)
    const value = new Map(meta.getRowsJS().map(([k, v]) => [String(k), Number(v)]))
    return { db, index, dirty, marks: { watermark: value.get('rollup_watermark')!, rawCutoff: value.get('raw_cutoff')! } }
  } catch (err) {
    db.close()
    throw err
  }
}

let started: Awaited<ReturnType<typeof start>>
try {
  started = await start()
} catch (err) {
  post({ t: 'openFailed', message: (err as Error).message })
  port.close()
  process.exit(0)
}
const { db, index, dirty } = started
const writer = new Exclusive()
const committer = new Committer(db, index, dirty, writer, post, options.reopenEveryPoints)
committer.watermark = started.marks.watermark
committer.rawCutoff = started.marks.rawCutoff

type Handler<K extends CallName> = (args: Calls[K]['args']) => Promise<Calls[K]['result']> | Calls[K]['result']
const handlers: { [K in CallName]: Handler<K> } = {
  range: (a) => db.read((c) => range(c, a)),
  // Watermark and dirty minutes are read as the query starts: they match committed rollups.
  buckets: (a) => db.read((c) => buckets(c, a, committer.watermark, (from, to) => dirty.within(a.sid, from, to))),
  latest: (a) => index.latest(a.line, a.equipment),
  coilEvents: (a) => db.read((c) => coilEvents(c, a)),
  // Audit entries are rare (people's actions): one small transaction each, in turn with commits.
  appendAudit: (a) => writer.run(async () => (await committer.ensureOpen(), await appendAudit(db.writer, a), null)),
  audit: (a) => db.read((c) => audit(c, a)),
  sqlRun: (a) => writer.run(async () => (await committer.ensureOpen(), await db.writer.run(a.sql, a.params as never), null)),
  sqlAll: (a) =>
    db.read(async (c) =>
      (await c.runAndReadAll(a.sql, a.params as never)).getRowsJS().map((row) => row.map((v) => (typeof v === 'bigint' ? Number(v) : v))),
    ),
  maintain: (a) =>
    writer.run(async () => {
      await committer.ensureOpen()
      try {
        const report = await maintain(db.writer, committer, options, a.now)
        committer.watermark = report.watermark
        committer.rawCutoff = report.rawCutoff
        dirty.dropBefore(report.watermark)
        return report
      } catch (err) {
        if (isFatal(err)) db.needsReopen = true
        throw err
      }
    }),
  close: () =>
    writer.run(async () => {
      await committer.commitInbox()
      try {
        await db.writer.run('CHECKPOINT')
      } finally {
        committer.closeAppenders()
        db.close()
      }
      return null
    }),
}

port.on('message', (m: ToWorker) => {
  if (m.t === 'write') return committer.enqueue(m)
  const { id, op } = m
  Promise.resolve()
    .then(() => (handlers[op] as Handler<CallName>)(m.args as never))
    .then(
      (value) => post({ t: 'reply', id, value }, transferables(value)),
      (err: Error) => post({ t: 'error', id, message: err.message }),
    )
    .finally(() => op === 'close' && port.close())
})

/** Typed-array results are moved, not copied, to the main thread. */
function transferables(value: unknown): ArrayBuffer[] | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined
  const out = Object.values(value).filter((v): v is Float64Array => v instanceof Float64Array).map((v) => v.buffer as ArrayBuffer)
  return out.length ? out : undefined
}

post({ t: 'ready', series: index.all() })
