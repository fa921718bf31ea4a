// The coils part (issue 5): turns the line's coil events into coil records, computes each
// coil's process summary at `finish`, and carries out QA actions, corrections and splits.
//
// Where the events come from: ingest already stores every valid coil event durably in the
// records store (RecordsStore.appendCoilEvents, before the device's PUBACK). This part polls
// those stored events instead of subscribing on the broker or hooking into ingest, because
// (1) it sees exactly what was stored, decoded and validated once, whichever broker fed ingest
// (embedded aedes or an external MQTT_URL cluster); (2) after a restart it catches up from the
// store, which a live subscription cannot; (3) it needs no change in ingest or the broker.
// The cost is up to `pollMs` (default 1 s) of delay before a record appears, which a QA
// inspector walking to a coil never notices. Applying events is idempotent (coils/model.ts),
// so the overlap window that catches late, out-of-order events is harmless.
import type { Logger } from '../core/log.ts'
import type { People } from '../core/people.ts'
import type { Plant } from '../core/plant.ts'
import type { CoilEvent } from '../core/payloads.ts'
import { shiftAt } from '../core/shifts.ts'
import type { CoilInspection, CoilRecords, RecordsStore, StoredCoil, TimeSeriesStore, RawPoint } from '../store/types.ts'
import { isFailure, type Failure } from './gs1.ts'
import { isCoilId } from './coil-id.ts'
import { applyCoilEvent, applySummary, markSuspect, readAttributes, type CoilRecord, type CoilStatus } from './model.ts'
import { productFor, thicknessTolerance_um, type ProductCatalog } from './products.ts'
import { qrUrl } from './qr.ts'
import { cachedCoilRecords } from './record-cache.ts'
import { splitCoil, type ChildSpec } from './split.ts'
import { transition } from './status.ts'
import { SENSORS, standsOf, summarizeCoil, type CoilAlarm, type ProcessSummary } from './summary.ts'

export interface CoilsContext {
  plant: Plant
  people: Pick<People, 'file'>
  products: ProductCatalog
  publicUrl: string
  log: Logger
  timeseries: Pick<TimeSeriesStore, 'range'>
  records: Pick<RecordsStore, 'coilEvents'>
  coils: CoilRecords
  /** alarms active on the line during [from, to); the alerts part provides it (default: none) */
  alarmsDuring?: (line: string, from: number, to: number) => Promise<CoilAlarm[]>
  /** alarms of these priorities active while a coil is rolled mark it suspect (default critical, high) */
  suspectPriorities?: readonly string[]
  now?: () => number
}

export interface CoilsOptions {
  /** how often stored coil events are read (ms); 0: only when poll() is called */
  pollMs?: number
  /** events this far behind the newest seen are read again (late, out-of-order delivery) */
  overlapMs?: number
  /** at start, events this far back are (re)applied: the catch-up after a restart */
  catchUpMs?: number
  /** the summary waits this long after `finish` for the coil's last telemetry to be stored */
  settleMs?: number
  /** coil reads kept in memory for scans (coils/record-cache.ts; default 2000, 0 = none) */
  cacheSize?: number
}

/** A person's or client's action on a coil: who, for the history and the audit log. */
export interface Actor {
  by: string
  at?: number
}

export interface CoilService {
  /** Applies one line event (what the poller does for each stored event). */
  applyEvent(e: CoilEvent): Promise<CoilRecord>
  /** Reads stored events since the last poll and applies them; returns how many were new. */
  poll(): Promise<number>
  /** (Re)computes and stores a coil's process summary from the stored telemetry. */
  summarize(id: string): Promise<StoredCoil | undefined>
  get: CoilRecords['get']
  detail: CoilRecords['detail']
  list: CoilRecords['list']
  /** The line's coils on the mill at some time in [from, to) (see CoilRecords.onMill). */
  onMill(q: { line: string; from: number; to: number; limit?: number }): Promise<CoilRecord[]>
  /** Marks a coil suspect for an alarm active while it was on the mill (idempotent). */
  markSuspect(id: string, alarmId: string): Promise<CoilRecord | undefined>
  genealogy(id: string): Promise<{ coil: CoilRecord; ancestors: CoilRecord[]; descendants: CoilRecord[] } | undefined>
  inspections: CoilRecords['inspections']
  history: CoilRecords['history']
  setStatus(id: string, to: CoilStatus, who: Actor, reason?: string): Promise<CoilRecord | Failure | undefined>
  inspect(id: string, i: Omit<CoilInspection, 'id' | 'coilId' | 'at' | 'inspector'>, who: Actor): Promise<CoilInspection | undefined>
  split(id: string, children: readonly ChildSpec[], who: Actor): Promise<{ parent: CoilRecord; children: CoilRecord[] } | Failure | undefined>
  /** Registers a coil or corrects its attributes (a level-3 system, a person fixing a typo). */
  register(input: { id: string; line: string; startedAt?: number; finishedAt?: number; attributes: Record<string, unknown> }, who: Actor): Promise<{ record: CoilRecord; created: boolean } | Failure>
  /** The URL in the coil's QR code (a GS1 Digital Link when its grade has a GTIN). */
  qrUrl(record: CoilRecord): string
  /** The tolerance the coil's thickness is judged against (µm), when known. */
  tolerance_um(record: CoilRecord): number | undefined
  readonly ctx: CoilsContext
  close(): Promise<void>
}

/** Telemetry reads in flight while a summary is computed. */
const SUMMARY_READERS = 3
const SUMMARY_SENSORS: ReadonlySet<string> = new Set(Object.values(SENSORS))
const eventKey = (e: CoilEvent) => `${e.line}\u0000${e.coilId}\u0000${e.event}\u0000${e.ts}`
const noAlarms = async () => [] as CoilAlarm[]
/** A coil whose finish never arrived counts as on the mill this long after its start (a lost event must not make it overlap every later alarm). */
export const OPEN_COIL_MS = 4 * 3_600_000

export async function startCoils(ctx: CoilsContext, opts: CoilsOptions = {}): Promise<CoilService> {
  const log = ctx.log.child({ part: 'coils' })
  const now = ctx.now ?? Date.now
  // Scans read through a bounded cache; every change below goes through it and invalidates the coil.
  const store = cachedCoilRecords(ctx.coils, { size: opts.cacheSize, now })
  const settleMs = opts.settleMs ?? 2000
  const overlapMs = opts.overlapMs ?? 10 * 60_000
  const alarmsDuring = ctx.alarmsDuring ?? noAlarms
  const suspectPriorities = new Set(ctx.suspectPriorities ?? ['critical', 'high'])
  let closed = false
  const timers = new Set<NodeJS.Timeout>()
  const pendingSummaries = new Set<Promise<unknown>>()

  // One mutation at a time: an event, a hold and a split on one coil must not interleave
  // their read-modify-write. The volume (a coil a minute, a few QA clicks) makes one queue enough.
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn)
    queue = run.catch(() => undefined)
    return run
  }

  const stamp = (r: CoilRecord): CoilRecord => {
    if (r.startedAt === undefined || (r.crew !== undefined && r.shift !== undefined)) return r
    const slot = shiftAt(r.startedAt, ctx.people.file, ctx.plant.timezone)
    return { ...r, shift: r.shift ?? slot.shiftId, crew: r.crew ?? slot.crew }
  }

  async function applyEvent(e: CoilEvent): Promise<CoilRecord> {
    const result = await serial(async () => {
      const before = await store.get(e.coilId)
      const next = stamp(applyCoilEvent(before?.record, e))
      const changed = JSON.stringify(next) !== JSON.stringify(before?.record)
      if (changed) await store.upsert([{ record: next, summary: before?.summary }])
      if (changed && before?.record.status !== next.status)
        await store.addHistory({ coilId: next.id, at: e.ts, status: next.status, ...(before && { from: before.record.status }), by: `line:${e.line}` })
      return { next, needsSummary: next.finishedAt !== undefined && before?.summary === undefined }
    })
    if (result.needsSummary) scheduleSummary(result.next.id, result.next.finishedAt!)
    return result.next
  }

  function scheduleSummary(id: string, finishedAt: number) {
    const wait = Math.max(0, finishedAt + settleMs - now())
    const run = () => {
      const p = summarize(id)
        .catch((err) => log.warn({ err, coil: id }, 'process summary failed'))
        .finally(() => pendingSummaries.delete(p))
      pendingSummaries.add(p)
    }
    if (wait === 0) return run()
    const t = setTimeout(() => (timers.delete(t), closed || run()), wait)
    timers.add(t)
  }

  async function telemetryOf(line: string, from: number, to: number) {
    const model = ctx.plant.lines.get(line)
    const telemetry: Record<string, Record<string, RawPoint[]>> = {}
    if (!model) return { telemetry, stands: [] as string[] }
    // Only the series the summary reads (22 of the default plant's 62): each read is a query,
    // and these are what "how it was rolled" is made of. Others stay one click away as trends.
    const keys = [...model.equipment.values()].flatMap((eq) =>
      ((telemetry[eq.id] = {}), [...eq.sensors.keys()].filter((s) => SUMMARY_SENSORS.has(s)).map((sensor) => ({ equipment: eq.id, sensor }))))
    // A few reads in flight keep the store's reader connections busy; all 60 at once queue
    // behind each other and were slower (measured in bench/coils.ts).
    let next = 0
    const worker = async () => {
      for (let k = next++; k < keys.length; k = next++) {
        const { equipment, sensor } = keys[k]
        telemetry[equipment][sensor] = await ctx.timeseries.range({ line, equipment, sensor, from, to, limit: 2_000_000 })
      }
    }
    await Promise.all(Array.from({ length: SUMMARY_READERS }, worker))
    return { telemetry, stands: standsOf(model) }
  }

  const tolerance_um = (r: CoilRecord) => thicknessTolerance_um(ctx.products, r.grade, r.targetThickness_mm)

  async function computeSummary(r: CoilRecord): Promise<ProcessSummary | undefined> {
    if (r.startedAt === undefined || r.finishedAt === undefined || r.finishedAt <= r.startedAt) return undefined
    const [{ telemetry, stands }, alarms] = await Promise.all([
      telemetryOf(r.line, r.startedAt, r.finishedAt),
      alarmsDuring(r.line, r.startedAt, r.finishedAt).catch((err) => (log.warn({ err }, 'alarms during coil unavailable'), [] as CoilAlarm[])),
    ])
    return summarizeCoil({ from: r.startedAt, to: r.finishedAt, telemetry, stands, target_mm: r.targetThickness_mm, tolerance_um: tolerance_um(r), alarms })
  }

  async function summarize(id: string): Promise<StoredCoil | undefined> {
    const first = await store.get(id)
    if (!first) return undefined
    const summary = await computeSummary(first.record) // the slow part, outside the queue
    if (!summary) return first
    return serial(async () => {
      const cur = await store.get(id)
      if (!cur) return undefined
      let record = applySummary(cur.record, summary)
      for (const a of summary.alarms) if (suspectPriorities.has(a.priority)) record = markSuspect(record, a.id)
      const stored = { record, summary }
      await store.upsert([stored])
      log.debug({ coil: id, samples: summary.thickness?.samples }, 'process summary stored')
      return stored
    })
  }

  // Polling the stored events (see the header for why).
  const seen = new Map<string, number>()
  let watermark = now() - (opts.catchUpMs ?? 24 * 3_600_000)
  let polling: Promise<number> | undefined
  async function pollOnce(): Promise<number> {
    const from = watermark - overlapMs
    const events = await ctx.records.coilEvents({ from, limit: 10_000 })
    let fresh = 0
    for (const e of events.reverse()) {
      const k = eventKey(e)
      if (seen.has(k)) continue
      try {
        await applyEvent(e)
      } catch (err) {
        log.warn({ err, coil: e.coilId }, 'coil event not applied')
      }
      seen.set(k, e.ts)
      if (e.ts > watermark) watermark = e.ts
      fresh++
    }
    for (const [k, ts] of seen) if (ts < from) seen.delete(k)
    return fresh
  }
  const poll = () => (polling ??= pollOnce().finally(() => (polling = undefined)))
  let pollTimer: NodeJS.Timeout | undefined
  if ((opts.pollMs ?? 1000) > 0) {
    const tick = () => {
      if (closed) return
      poll()
        .catch((err) => log.warn({ err }, 'reading coil events failed'))
        .finally(() => {
          if (!closed) pollTimer = setTimeout(tick, opts.pollMs ?? 1000)
        })
    }
    tick()
  }

  async function setStatus(id: string, to: CoilStatus, who: Actor, reason?: string) {
    return serial(async () => {
      const cur = await store.get(id)
      if (!cur) return undefined
      const at = who.at ?? now()
      const next = transition(cur.record, { to, at, by: who.by, reason })
      if (isFailure(next)) return next
      await store.upsert([{ record: next, summary: cur.summary }])
      await store.addHistory({ coilId: id, at, status: to, from: cur.record.status, by: who.by, ...(reason?.trim() && { reason: reason.trim() }) })
      return next
    })
  }

  async function inspect(id: string, i: Omit<CoilInspection, 'id' | 'coilId' | 'at' | 'inspector'>, who: Actor) {
    if (!(await store.get(id))) return undefined
    const at = who.at ?? now()
    const inspection: CoilInspection = { ...i, id: `${id}-${at.toString(36)}-${Math.random().toString(36).slice(2, 8)}`, coilId: id, at, inspector: who.by }
    await store.addInspection(inspection)
    return inspection
  }

  async function split(id: string, specs: readonly ChildSpec[], who: Actor) {
    return serial(async () => {
      const cur = await store.get(id)
      if (!cur) return undefined
      for (const s of specs) if (isCoilId(s.id) && (await store.get(s.id))) return { error: `coil ${s.id} already exists` } as Failure
      const at = who.at ?? now()
      const r = splitCoil(cur.record, specs, at)
      if (isFailure(r)) return r
      // One statement: the parent and its children are committed together.
      await store.upsert([{ record: r.parent, summary: cur.summary }, ...r.children.map((c) => ({ record: c }))])
      for (const c of r.children) await store.addHistory({ coilId: c.id, at, status: c.status, by: who.by, reason: `split from ${id}` })
      return r
    })
  }

  async function register(input: { id: string; line: string; startedAt?: number; finishedAt?: number; attributes: Record<string, unknown> }, who: Actor) {
    if (!isCoilId(input.id)) return { error: `"${String(input.id).slice(0, 64)}" is not a coil ID` }
    if (!ctx.plant.lines.has(input.line)) return { error: `no line "${input.line}" in the plant model` }
    return serial(async () => {
      const cur = await store.get(input.id)
      const { fields, extra } = readAttributes(input.attributes)
      const base: CoilRecord = cur?.record ?? { id: input.id, line: input.line, status: input.finishedAt !== undefined ? 'finished' : 'rolling', children: [], suspectAlarms: [], extra: {} }
      const record = stamp({
        ...base,
        ...fields,
        ...(input.startedAt !== undefined && { startedAt: input.startedAt }),
        ...(input.finishedAt !== undefined && { finishedAt: input.finishedAt }),
        extra: { ...base.extra, ...extra },
      })
      await store.upsert([{ record, summary: cur?.summary }])
      if (!cur) await store.addHistory({ coilId: record.id, at: who.at ?? now(), status: record.status, by: who.by, reason: 'registered' })
      return { record, created: !cur }
    })
  }

  async function markCoilSuspect(id: string, alarmId: string) {
    return serial(async () => {
      const cur = await store.get(id)
      if (!cur) return undefined
      const record = markSuspect(cur.record, alarmId)
      if (record === cur.record) return record
      await store.upsert([{ record, summary: cur.summary }])
      log.info({ coil: id, alarm: alarmId }, 'coil marked suspect')
      return record
    })
  }

  async function genealogy(id: string) {
    const coil = (await store.get(id))?.record
    if (!coil) return undefined
    const ancestors = await store.ancestors(id)
    const descendants: CoilRecord[] = []
    const seenIds = new Set([id])
    const walk = async (parent: string) => {
      for (const c of await store.children(parent)) {
        if (seenIds.has(c.id) || descendants.length >= 1000) continue
        seenIds.add(c.id)
        descendants.push(c)
        await walk(c.id)
      }
    }
    await walk(id)
    return { coil, ancestors, descendants }
  }

  return {
    ctx,
    applyEvent,
    poll,
    summarize,
    get: (id, o) => store.get(id, o),
    detail: (id) => store.detail(id),
    list: (q) => store.list(q),
    onMill: (q) => store.onMill({ ...q, openMs: OPEN_COIL_MS }),
    markSuspect: markCoilSuspect,
    genealogy,
    inspections: (id) => store.inspections(id),
    history: (id) => store.history(id),
    setStatus,
    inspect,
    split,
    register,
    qrUrl: (r) => qrUrl(ctx.publicUrl, { id: r.id, heat: r.heat }, productFor(ctx.products, r.grade)),
    tolerance_um,
    async close() {
      if (closed) return
      closed = true
      clearTimeout(pollTimer)
      for (const t of timers) clearTimeout(t)
      timers.clear()
      await polling?.catch(() => undefined)
      await Promise.allSettled([...pendingSummaries])
      await queue
    },
  }
}
