// The alerts part: the rules engine fed by ingest's validated readings (before the store
// write, so a slow store never delays an alarm) and by a 1 s timer; every alarm change is
// stored, published on plant/{line}/{equipment}/alarm and handed to notification. With
// `thread`, the readings' condition evaluation runs on the rules thread (thread/) and its
// reports come back to the engine here; without it, in this thread, synchronously.
// config/rules.yaml is watched: a valid change is applied without a restart, an invalid one
// is rejected with every problem logged and the running rules stay in force.
import { existsSync, watch, readFileSync, type FSWatcher } from 'node:fs'
import { join } from 'node:path'
import { Counter, type Registry } from 'prom-client'
import { ConfigError } from '../core/errors.ts'
import type { Logger } from '../core/log.ts'
import type { People } from '../core/people.ts'
import type { Plant } from '../core/plant.ts'
import { alarmTopic } from '../core/topics.ts'
import type { AlarmRecords, AlarmSnapshot, AlarmTransitionRecord } from '../store/types.ts'
import { AlarmEngine, type AlarmChange } from './engine.ts'
import type { Alarm } from './lifecycle.ts'
import { loadRules } from './rules/load.ts'
import { RulesThread } from './thread/index.ts'
import type { Rule } from './rules/types.ts'

export interface AlertsContext {
  plant: Plant
  people: People
  configDir: string
  log: Logger
  metrics: Registry
  records: AlarmRecords
  /** publishes an alarm change on the topic tree */
  publish: (topic: string, payload: string) => void
  /** notification (routing, channels) listens here */
  onChanges?: (changes: readonly AlarmChange[]) => void
  now?: () => number
  tickMs?: number
  /** Evaluate conditions on the rules thread. */
  thread?: boolean
}

export interface Alerts {
  engine: AlarmEngine
  onReadings(line: string, equipment: string, ts: number, values: Readonly<Record<string, number>>): void
  /** A death certificate (Sparkplug B): the equipment's data is stale as of `at`. */
  onStale(line: string, equipment: string, at: number): void
  /** Runs an operator command (ack, shelve…) and handles the changes it made. */
  command(run: (engine: AlarmEngine) => readonly AlarmChange[]): readonly AlarmChange[]
  /** Live changes (the phone inbox's server-sent events); returns the unsubscribe function. */
  subscribe(listener: (changes: readonly AlarmChange[]) => void): () => void
  /** Waits until every change so far is stored. */
  flushed(): Promise<void>
  reload(): boolean
  close(): Promise<void>
}

export async function startAlerts(ctx: AlertsContext): Promise<Alerts> {
  const log = ctx.log.child({ part: 'alerts' })
  const now = ctx.now ?? Date.now
  const file = join(ctx.configDir, 'rules.yaml')
  const withAreas = (rules: readonly Rule[]) => rules.map((r) => (r.area ? r : { ...r, area: ctx.people.areaOf.get(`${r.line}/${r.equipment}`) }))
  // No rules file: a plant that uses millwatch without alarms (warned below).
  const read = () => (existsSync(file) ? loadRules(readFileSync(file, 'utf8'), ctx.plant, file) : { rules: [], problems: [] })

  const first = read()
  if (!first.rules) throw new ConfigError([...first.problems])
  if (!existsSync(file)) log.warn({ file }, 'no rules file: no alarms will be raised')
  const engine = new AlarmEngine(withAreas(first.rules), {}, now())
  const restored = (await ctx.records.current()) as unknown as Alarm[]
  engine.restore(restored)
  const seeds = (alarms: readonly Alarm[]) => alarms.map((a) => ({ key: a.key, active: a.active, at: a.activeSince ?? a.updatedAt }))

  const transitions = new Counter({ name: 'mw_alarm_transitions_total', help: 'ISA-18.2 alarm transitions, by action and priority', labelNames: ['action', 'priority'], registers: [ctx.metrics] })
  // Stored in order, one after another; a failed write is logged and the next goes on.
  let storing: Promise<void> = Promise.resolve()
  const listeners = new Set<(changes: readonly AlarmChange[]) => void>()
  function handle(changes: readonly AlarmChange[]) {
    if (changes.length === 0) return
    const batch = changes.map((c) => ({ alarm: c.alarm as unknown as AlarmSnapshot, transition: c.transition as unknown as AlarmTransitionRecord }))
    storing = storing.then(() => ctx.records.save(batch)).catch((err) => log.error({ err }, 'could not store alarm changes'))
    for (const c of changes) {
      transitions.inc({ action: c.transition.action, priority: c.transition.priority })
      try {
        ctx.publish(alarmTopic(c.alarm.line, c.alarm.equipment), JSON.stringify({ ...c.alarm, transition: c.transition }))
      } catch (err) {
        log.warn({ err }, 'could not publish an alarm change')
      }
    }
    for (const l of [ctx.onChanges, ...listeners])
      try {
        l?.(changes)
      } catch (err) {
        log.error({ err }, 'an alarm-change listener failed')
      }
  }

  const tickMs = ctx.tickMs ?? 1000
  const thread = ctx.thread
    ? new RulesThread({ plant: ctx.plant, log, apply: (keys, records) => handle(engine.applyConditions(keys, records)), seeds: () => seeds(engine.alarms({ active: true })) })
    : undefined
  thread?.load(engine.rules(), now())
  thread?.seed(seeds(restored))
  const timer = setInterval(() => {
    const at = now()
    thread?.tick(at)
    handle(engine.tick(at, !thread))
  }, tickMs)
  timer.unref()

  function reload(): boolean {
    let result
    try {
      result = read()
    } catch (err) {
      log.error({ err: (err as Error).message }, 'rules file unreadable; the running rules stay in force')
      return false
    }
    if (!result.rules) {
      log.error({ problems: result.problems }, `rules rejected (${result.problems.length} problems); the running rules stay in force`)
      return false
    }
    handle(engine.replace(withAreas(result.rules), now()))
    thread?.load(engine.rules(), now())
    log.info({ rules: result.rules.length }, 'rules reloaded')
    return true
  }
  let debounce: NodeJS.Timeout | undefined
  let watcher: FSWatcher | undefined
  try {
    watcher = watch(ctx.configDir, (_event, name) => {
      if (name !== 'rules.yaml') return
      clearTimeout(debounce)
      debounce = setTimeout(reload, 200)
    })
  } catch (err) {
    log.warn({ err }, 'cannot watch the config folder; rules reload only on restart')
  }

  log.info({ rules: engine.rules().length, open: engine.alarms().length, thread: !!thread }, 'alerts running')
  let closed = false
  return {
    engine,
    onReadings: thread
      ? (line, equipment, ts, values) => thread.reading(line, equipment, ts, values)
      : (line, equipment, ts, values) => handle(engine.onTelemetry(line, equipment, ts, values)),
    onStale(line, equipment, at) {
      if (thread) thread.stale(line, equipment, at)
      else handle(engine.markStale(line, equipment, at))
    },
    command(run) {
      const changes = run(engine)
      handle(changes)
      return changes
    },
    async flushed() {
      await thread?.settled()
      await storing
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    reload,
    async close() {
      if (closed) return
      closed = true
      clearInterval(timer)
      clearTimeout(debounce)
      watcher?.close()
      await thread?.close()
      await storing
    },
  }
}
