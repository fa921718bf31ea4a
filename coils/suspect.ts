// "Suspect" coils (issue 5): an alarm of a suspect priority (config `coils.suspectPriorities`,
// default critical and high) active on a line while a coil is on the mill marks that coil, so
// QA sees which coils an equipment fault may have touched.
//
// The coil's process summary at `finish` already marks the alarms it finds stored for the
// coil's window. That alone misses three cases, which this watcher of live alarm changes covers:
//  - a coil still rolling when the alarm is raised: marked at once, not minutes later at finish;
//  - an alarm raised (reading time) while a coil rolled but noticed after the coil finished and
//    was summarised (a gateway's buffered readings, an on-delay): the coils are looked up by
//    their time on the mill, not by their status, so a finished coil is found too;
//  - a coil that starts while the alarm stays active: each open alarm is re-checked every
//    `recheckMs`, which also catches a coil whose start event the coils part had not yet read.
// Marking is idempotent (coils/model.ts markSuspect), so overlapping checks are harmless.
import type { Logger } from '../core/log.ts'
import type { CoilService } from './service.ts'

/** The slice of an alarm change (alerts/engine.ts AlarmChange) this watcher reads. */
export interface AlarmChangeLike {
  transition: { alarmId: string; line: string; priority: string; action: string; at: number }
}

/** An alarm active now, to resume watching after a restart. */
export interface ActiveAlarmLike {
  id: string
  line: string
  priority: string
  activeSince?: number
  raisedAt?: number
}

export interface SuspectContext {
  coils: Pick<CoilService, 'onMill' | 'markSuspect'>
  priorities: readonly string[]
  log: Logger
  /** alarms active at start (the engine restored from the store) */
  activeNow?: () => readonly ActiveAlarmLike[]
  now?: () => number
  /** how often open alarms are re-checked for coils that started since (ms; default 5 s) */
  recheckMs?: number
}

export interface SuspectWatcher {
  /** Hand every alarm change here (Alerts.subscribe). */
  observe(changes: readonly AlarmChangeLike[]): void
  /** Resolves when every check started so far is done (tests, close). */
  settled(): Promise<void>
  close(): Promise<void>
}

export function startSuspectMarking(ctx: SuspectContext): SuspectWatcher {
  const log = ctx.log.child({ part: 'coils' })
  const now = ctx.now ?? Date.now
  const priorities = new Set(ctx.priorities)
  /** alarm occurrence → line, when its current active interval began, up to when its coils were checked, and whether a re-check waits */
  const open = new Map<string, { line: string; since: number; checkedTo: number; queued?: boolean }>()
  // Re-checks look back this far before the last check, not to the alarm's start: an alarm
  // active for days would otherwise ask for every coil since (and the store caps each answer).
  // A coil whose start event arrives later than this is still marked by its summary at finish.
  const OVERLAP_MS = 5 * 60_000
  let chain: Promise<void> = Promise.resolve()
  let closed = false

  /** Marks every coil of `line` on the mill during [from, to) with the alarm; one check at a time. */
  const check = (alarmId: string, line: string, from: number, to: number, done?: () => void) => {
    chain = chain
      .then(async () => {
        try {
          for (const c of await ctx.coils.onMill({ line, from, to: Math.max(to, from + 1) }))
            if (!c.suspectAlarms.includes(alarmId)) await ctx.coils.markSuspect(c.id, alarmId)
        } finally {
          done?.()
        }
      })
      .catch((err) => log.warn({ err, alarm: alarmId }, 'could not mark suspect coils'))
  }

  for (const a of ctx.activeNow?.() ?? [])
    if (priorities.has(a.priority) && a.id) open.set(a.id, { line: a.line, since: a.activeSince ?? a.raisedAt ?? now(), checkedTo: a.activeSince ?? a.raisedAt ?? now() })

  const recheck = () => {
    const t = now()
    for (const [id, a] of open) {
      // One re-check per alarm waits at a time: while the store is slow (full ingest load),
      // queueing one every few seconds for every open alarm grew the chain without bound
      // (the soak's live heap rose with the alarms). A skipped turn loses nothing: the next
      // re-check starts from the last one that was queued.
      if (a.queued) continue
      a.queued = true
      check(id, a.line, Math.max(a.since, a.checkedTo - OVERLAP_MS), t + 1, () => (a.queued = false))
      a.checkedTo = t
    }
  }
  const timer = setInterval(recheck, ctx.recheckMs ?? 5000)
  timer.unref()
  recheck()

  return {
    observe(changes) {
      if (closed) return
      for (const { transition: t } of changes) {
        if (!priorities.has(t.priority)) continue
        if (t.action === 'activate') {
          const to = Math.max(now(), t.at)
          if (!open.has(t.alarmId)) open.set(t.alarmId, { line: t.line, since: t.at, checkedTo: to })
          check(t.alarmId, t.line, t.at, to + 1)
        } else if (t.action === 'clear' || t.action === 'retire') {
          const a = open.get(t.alarmId)
          open.delete(t.alarmId)
          if (a) check(t.alarmId, a.line, Math.max(a.since, a.checkedTo - OVERLAP_MS), t.at)
        }
      }
    },
    settled: () => chain,
    async close() {
      closed = true
      clearInterval(timer)
      await chain
    },
  }
}
