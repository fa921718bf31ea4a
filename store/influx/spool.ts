// The disk spool: batches InfluxDB could not take (down, slow, refusing) wait here, in order,
// until the replayer has written them. A batch is durable once `append` resolves: its file
// was written, fsynced and renamed into place, and the folder fsynced (so the new name
// survives a power cut, POSIX rename(2) + fsync(2)). Only then may the device get its PUBACK.
// The spool is bounded in bytes; when full, `append` refuses, and the caller must not
// acknowledge what it could not keep.
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { errors } from '../../core/errors.ts'

interface Segment {
  seq: number
  points: number
  bytes: number
  /** written and fsynced: the replayer may take it */
  ready: boolean
}

const NAME = /^(\d{16})-(\d+)\.lp$/
const nameOf = (s: { seq: number; points: number }) => `${String(s.seq).padStart(16, '0')}-${s.points}.lp`

export class Spool {
  private readonly segments: Segment[] = []
  private nextSeq = 1
  /** bytes on disk or being written (reserved when an append starts) */
  bytes = 0
  points = 0

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly onFull: (full: boolean) => void,
  ) {}

  /** Opens (or creates) the spool folder; what an earlier run left there is replayed first. */
  static async open(dir: string, maxBytes: number, onFull: (full: boolean) => void = () => {}): Promise<Spool> {
    await mkdir(dir, { recursive: true })
    await lock(dir)
    const s = new Spool(dir, maxBytes, onFull)
    for (const f of (await readdir(dir)).sort()) {
      const m = NAME.exec(f)
      // A .tmp file is a batch whose append never resolved: nobody was told it was kept.
      if (!m) {
        if (f.endsWith('.tmp')) await unlink(join(dir, f)).catch(() => {})
        continue
      }
      const seg = { seq: Number(m[1]), points: Number(m[2]), bytes: (await stat(join(dir, f))).size, ready: true }
      s.segments.push(seg)
      s.bytes += seg.bytes
      s.points += seg.points
      s.nextSeq = seg.seq + 1
    }
    return s
  }

  /** Gives the folder up (the next process may take it). */
  async release(): Promise<void> {
    await unlink(join(this.dir, LOCK)).catch(() => {})
  }

  get empty(): boolean {
    return this.segments.length === 0
  }

  private full = false
  private setFull(full: boolean) {
    if (full !== this.full) this.onFull((this.full = full))
  }

  /** Keeps one batch of line protocol; resolves once it is on disk. Refuses when full. */
  async append(body: string, points: number): Promise<void> {
    const bytes = Buffer.byteLength(body)
    if (this.bytes + bytes > this.maxBytes) {
      this.setFull(true)
      throw errors.unavailable(`InfluxDB is not taking writes and its disk spool is full (${this.bytes} of ${this.maxBytes} bytes)`)
    }
    const seg: Segment = { seq: this.nextSeq++, points, bytes, ready: false }
    this.segments.push(seg)
    this.bytes += bytes
    this.points += points
    const file = join(this.dir, nameOf(seg))
    try {
      const fh = await open(`${file}.tmp`, 'w')
      try {
        await fh.writeFile(body)
        await fh.sync()
      } finally {
        await fh.close()
      }
      await rename(`${file}.tmp`, file)
      await syncDir(this.dir)
      seg.ready = true
    } catch (err) {
      this.drop(seg)
      await unlink(`${file}.tmp`).catch(() => {})
      throw errors.unavailable(`could not spool readings to disk: ${(err as Error).message}`)
    }
  }

  /** The oldest written batches, in order, up to about `maxPoints` points together. */
  async oldest(maxPoints: number): Promise<{ seqs: number[]; body: string; points: number } | undefined> {
    const take: Segment[] = []
    let points = 0
    for (const s of this.segments) {
      if (!s.ready || (take.length && points + s.points > maxPoints)) break
      take.push(s)
      points += s.points
    }
    if (!take.length) return undefined
    const bodies = await Promise.all(take.map((s) => readFile(join(this.dir, nameOf(s)), 'utf8')))
    return { seqs: take.map((s) => s.seq), body: bodies.join('\n'), points }
  }

  /** Forgets replayed batches (their points are in InfluxDB now). */
  async remove(seqs: readonly number[]): Promise<void> {
    for (const seq of seqs) {
      const seg = this.segments.find((s) => s.seq === seq)
      if (!seg) continue
      await unlink(join(this.dir, nameOf(seg))).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err
      })
      this.drop(seg)
    }
  }

  private drop(seg: Segment) {
    const i = this.segments.indexOf(seg)
    if (i >= 0) this.segments.splice(i, 1)
    this.bytes -= seg.bytes
    this.points -= seg.points
    if (this.bytes <= this.maxBytes * 0.9) this.setFull(false)
  }
}

const LOCK = 'spool.lock'

/**
 * One process per spool folder: two would number their batches alike and replay each
 * other's. The lock file holds the owner's pid; a lock whose process is gone (or is this
 * process's own pid, e.g. PID 1 of a restarted container) is taken over.
 */
async function lock(dir: string): Promise<void> {
  const file = join(dir, LOCK)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' })
      return
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const pid = Number(await readFile(file, 'utf8').catch(() => ''))
    if (pid > 0 && pid !== process.pid && alive(pid))
      throw new Error(`the InfluxDB spool ${dir} is in use by process ${pid}: give each millwatch process its own DATA_DIR`)
    await unlink(file).catch(() => {})
  }
  throw new Error(`could not lock the InfluxDB spool ${dir}`)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}
