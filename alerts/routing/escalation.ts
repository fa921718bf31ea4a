// Escalation of unacknowledged alarms: operator at once, shift foreman after N, maintenance
// manager after M (alerts/routing/oncall.ts). The tracker is pure — alarm changes and the
// time in, who must be notified now out — and recipients are resolved when a level fires,
// so an escalation after a shift change goes to the crew now on shift. The shell ticks it
// with node-cron in the plant's time zone.
//
// ISA-18.2: only an alarm annunciated and unacknowledged (state B) escalates. Returning to
// normal unacknowledged (D) pauses it; a repeat of the same occurrence resumes where it was;
// acknowledging, shelving, suppressing or removing from service ends it; a re-alarm (C → B)
// starts the chain again.
import cron from 'node-cron'
import type { Logger } from '../../core/log.ts'
import type { People, Person } from '../../core/people.ts'
import { shiftAt, type ShiftSlot } from '../../core/shifts.ts'
import type { AlarmChange } from '../engine.ts'
import type { EscalationConfig } from '../notify/config.ts'
import { escalationPlan, onCall, type Level } from './oncall.ts'

export interface RoutingContext {
  readonly people: People
  /** Plant time zone; default Asia/Shanghai. */
  readonly timezone?: string
  readonly escalation: EscalationConfig
}

export interface Escalation {
  readonly alarmId: string
  readonly level: Level
  /** 0 operator, 1 foreman, 2 manager. */
  readonly levelIndex: number
  readonly recipients: readonly Person[]
  /** The alarm's latest change (what the message describes). */
  readonly change: AlarmChange
  readonly at: number
  /** How long the alarm has waited unacknowledged. */
  readonly waitedMs: number
  readonly shift: ShiftSlot
}

interface Entry {
  change: AlarmChange
  since: number
  fired: number
  paused: boolean
}

export class EscalationTracker {
  private readonly entries = new Map<string, Entry>()

  constructor(private readonly ctx: RoutingContext) {}

  /** Feed every alarm change (in order). */
  observe(change: AlarmChange): void {
    const t = change.transition
    const id = t.alarmId
    const e = this.entries.get(id)
    if (t.to === 'unacknowledged') {
      if (!e || t.action === 'realarm') this.entries.set(id, { change, since: t.at, fired: 0, paused: false })
      else Object.assign(e, { change, paused: false })
    } else if (t.to === 'rtn_unacknowledged') {
      if (e) Object.assign(e, { change, paused: true })
    } else this.entries.delete(id)
  }

  /** The notifications due at `now`; each level fires once. */
  due(now: number): Escalation[] {
    const out: Escalation[] = []
    for (const [alarmId, e] of this.entries) {
      if (e.paused) continue
      const a = e.change.alarm
      const plan = escalationPlan(a, this.ctx.escalation)
      let skip = false // nobody at the last level: the next one now
      while (e.fired < plan.length && (skip || now >= e.since + plan[e.fired].afterMs)) {
        const step = plan[e.fired]
        const area = a.area ?? this.ctx.people.areaOf.get(`${a.line}/${a.equipment}`) ?? ''
        const duty = onCall(this.ctx.people, area, now, { timezone: this.ctx.timezone, escalation: this.ctx.escalation })
        const recipients = duty[step.level]
        e.fired++
        skip = recipients.length === 0
        if (!skip) out.push({ alarmId, level: step.level, levelIndex: e.fired - 1, recipients, change: e.change, at: now, waitedMs: now - e.since, shift: duty.shift })
      }
    }
    return out
  }

  /** Alarms being escalated: the next level and when it is due (for pages and tests). */
  pending(): Array<{ alarmId: string; since: number; next?: Level; dueAt?: number; paused: boolean }> {
    return [...this.entries].map(([alarmId, e]) => {
      const plan = escalationPlan(e.change.alarm, this.ctx.escalation)
      const next = plan[e.fired]
      return { alarmId, since: e.since, next: next?.level, dueAt: next && e.since + next.afterMs, paused: e.paused }
    })
  }
}

export interface EscalationOptions extends RoutingContext {
  readonly onEscalate: (e: Escalation) => void
  /** Called on the first tick of each new shift (within one tick of the change). */
  readonly onShiftChange?: (shift: ShiftSlot, previous: ShiftSlot) => void
  readonly now?: () => number
  /** node-cron expression with seconds; default every 15 s. */
  readonly schedule?: string
  readonly log?: Logger
}

export interface EscalationHandle {
  /** Feed an alarm change; a new alarm's first level (the operator) is notified at once. */
  observe(change: AlarmChange): void
  /** Fires whatever is due now (the cron job calls it). */
  tick(): void
  readonly tracker: EscalationTracker
  /** Stops the cron job; safe to call twice. */
  stop(): void
}

export function startEscalation(o: EscalationOptions): EscalationHandle {
  const now = o.now ?? Date.now
  const tracker = new EscalationTracker(o)
  const tz = o.timezone ?? 'Asia/Shanghai'
  let shift = shiftAt(now(), o.people.file, tz)
  const tick = () => {
    const t = now()
    if (t >= shift.end || t < shift.start) {
      const previous = shift
      shift = shiftAt(t, o.people.file, tz)
      try {
        o.onShiftChange?.(shift, previous)
      } catch (err) {
        o.log?.error({ err }, 'onShiftChange failed')
      }
    }
    for (const e of tracker.due(t))
      try {
        o.onEscalate(e)
      } catch (err) {
        o.log?.error({ err, alarmId: e.alarmId, level: e.level }, 'onEscalate failed')
      }
  }
  const task = cron.schedule(o.schedule ?? '*/15 * * * * *', tick, { timezone: tz, name: 'alarm-escalation', noOverlap: true })
  let stopped = false
  return {
    tracker,
    tick,
    observe(change) {
      tracker.observe(change)
      tick()
    },
    stop() {
      if (stopped) return
      stopped = true
      void task.destroy()
    },
  }
}
