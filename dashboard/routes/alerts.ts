// Alarms over HTTP: the list (ISA-18.2 states), one alarm with its history and deliveries,
// acknowledge and shelve (audited), the EEMUA 191 alarm-load figures, and the "what if"
// replay of a rule over stored history.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AlarmEngine } from '../../alerts/engine.ts'
import { alarmLoad, type KpiRecord } from '../../alerts/kpi/load.ts'
import type { Alarm } from '../../alerts/lifecycle.ts'
import { loadRuleDefinition } from '../../alerts/rules/load.ts'
import { conditionSensors } from '../../alerts/rules/types.ts'
import type { Alerts } from '../../alerts/service.ts'
import { mergeSeries, whatIf } from '../../alerts/what-if.ts'
import type { EscalationConfig } from '../../alerts/notify/config.ts'
import { onCall, onCallToJson } from '../../alerts/routing/oncall.ts'
import { errors } from '../../core/errors.ts'
import type { People } from '../../core/people.ts'
import type { Plant } from '../../core/plant.ts'
import type { AlarmRecords, TimeSeriesStore } from '../../store/types.ts'
import { audit, type AuthContext } from '../auth/plugin.ts'
import { timeRange } from '../query.ts'
import { raisedIn } from '../kpi/occurrences.ts'

export interface AlertsRoutesContext {
  alerts: Alerts
  records: AlarmRecords
  timeseries: TimeSeriesStore
  plant: Plant
  people: People
  auth: AuthContext
  /** channels.yaml escalation (managers per area) and the plant time zone, for GET /api/oncall */
  escalation?: EscalationConfig
  timezone?: string
  now?: () => number
}

/** The public shape of an alarm (DESIGN.md: id, line, equipment, sensor, rule, priority, state, active, acknowledged, raisedAt, value). */
export function alarmJson(a: Alarm, engine: AlarmEngine) {
  return {
    id: a.id, key: a.key, line: a.line, equipment: a.equipment, sensor: a.sensor, rule: a.rule, priority: a.priority, area: a.area,
    state: a.state, active: a.active, acknowledged: a.acknowledged, raisedAt: a.raisedAt, value: a.value, limit: a.limit, peak: a.peak,
    activations: a.activations, ackedBy: a.ackedBy, ackedAt: a.ackedAt, shelf: a.shelf, updatedAt: a.updatedAt,
    description: engine.ruleOf(a.key)?.description,
  }
}

const str = { type: 'string', maxLength: 200 } as const

export const alertsRoutes = (ctx: AlertsRoutesContext) => async (app: FastifyInstance) => {
  const now = ctx.now ?? Date.now
  const engine = ctx.alerts.engine
  const find = (id: string) => engine.get(id) ?? (() => { throw errors.notFound(`no alarm "${id.slice(0, 100)}"`) })()

  /** ISA-18.2 puts an alarm before the operator responsible for it: a worker acts on the alarms of their own areas. */
  function mayActOn(req: FastifyRequest, a: Alarm) {
    const person = req.actor.kind === 'person' ? ctx.people.byId.get(req.actor.id) : undefined
    if (!person || person.roles.some((r) => r !== 'worker') || !a.area || person.areas.includes(a.area)) return
    throw Object.assign(new Error(`${person.name} is not on duty for area "${a.area}"`), { statusCode: 403, code: 'MW_FORBIDDEN' })
  }

  app.get<{ Querystring: { active?: string; all?: string; line?: string; equipment?: string; from?: string; to?: string } }>(
    '/api/alerts',
    {
      config: { permission: 'alerts:read' },
      schema: {
        summary: 'Alarms that are not normal (or all alarm points with all=true), newest first; with from/to, the alarms raised in that period (from the stored history)',
        tags: ['alerts'],
        querystring: { type: 'object', properties: { active: { type: 'string', enum: ['true', 'false'] }, all: { type: 'string', enum: ['true', 'false'] }, line: str, equipment: str, from: str, to: str } },
      },
    },
    async (req) => {
      const q = req.query
      if (q.from || q.to) {
        // A period's alarms (the KPI drill-down): occurrences raised in it, with their later ack and clear.
        const { from, to } = timeRange(q, now(), 24 * 3_600_000)
        const list = raisedIn(await ctx.records.transitions({ from, to: Math.max(to, now() + 1), limit: 100_000 }), from, to, { line: q.line, equipment: q.equipment })
        return { from, to, alerts: q.active === undefined ? list : list.filter((a) => a.active === (q.active === 'true')) }
      }
      const list = engine.alarms({ all: q.all === 'true', active: q.active === undefined ? undefined : q.active === 'true', line: q.line, equipment: q.equipment })
      list.sort((a, b) => (b.raisedAt ?? b.updatedAt) - (a.raisedAt ?? a.updatedAt))
      return { alerts: list.map((a) => alarmJson(a, engine)) }
    },
  )

  app.get<{ Params: { id: string } }>(
    '/api/alerts/:id',
    { config: { permission: 'alerts:read' }, schema: { summary: 'One alarm with its transitions (who, when) and notification deliveries', tags: ['alerts'] } },
    async (req) => {
      const a = find(req.params.id)
      const [transitions, deliveries] = await Promise.all([ctx.records.transitions({ alarmId: a.id, limit: 500 }), ctx.records.deliveries(a.id)])
      return { ...alarmJson(a, engine), transitions, deliveries }
    },
  )

  app.post<{ Params: { id: string } }>(
    '/api/alerts/:id/ack',
    { config: { permission: 'alerts:ack' }, schema: { summary: 'Acknowledge an alarm (ISA-18.2)', tags: ['alerts'] } },
    async (req) => {
      const a = find(req.params.id)
      mayActOn(req, a)
      ctx.alerts.command((e) => e.ack(a.id, { by: req.actor.id, at: now() }))
      await ctx.alerts.flushed() // acknowledged means stored
      await audit(ctx.auth, req, 'alarm.ack', a.id)
      return alarmJson(find(a.id), engine)
    },
  )

  app.post<{ Params: { id: string }; Body: { minutes?: number; until?: string | number; reason?: string } }>(
    '/api/alerts/:id/shelve',
    {
      config: { permission: 'alerts:shelve' },
      schema: {
        summary: 'Shelve an alarm for a while, with a reason (ISA-18.2 shelving always expires)',
        tags: ['alerts'],
        body: { type: 'object', required: ['reason'], properties: { minutes: { type: 'number', minimum: 1, maximum: 1440 }, until: { anyOf: [{ type: 'string', maxLength: 40 }, { type: 'number' }] }, reason: { type: 'string', minLength: 3, maxLength: 500 } } },
      },
    },
    async (req) => {
      const a = find(req.params.id)
      const b = req.body
      const until = b.until !== undefined ? timeRange({ to: String(b.until) }, now(), 0).to : now() + (b.minutes ?? 60) * 60_000
      ctx.alerts.command((e) => e.shelve(a.id, { until, reason: b.reason!, by: req.actor.id, at: now() }))
      await ctx.alerts.flushed()
      await audit(ctx.auth, req, 'alarm.shelve', a.id, { until, reason: b.reason })
      return alarmJson(find(a.id), engine)
    },
  )

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/api/alerts/kpi',
    {
      config: { permission: 'alerts:read' },
      schema: { summary: 'Alarm load per EEMUA 191 / ISA-18.2: rates per 10 min per area, floods, chattering, stale, bad actors, priority split', tags: ['alerts'], querystring: { type: 'object', properties: { from: str, to: str } } },
    },
    async (req) => {
      const { from, to } = timeRange(req.query, now(), 24 * 3_600_000)
      // Stale alarms began before the period: read a day further back.
      const records = (await ctx.records.transitions({ from: from - 86_400_000, to, limit: 100_000 })).reverse() as unknown as KpiRecord[]
      return alarmLoad(records, { from, to, areas: Object.fromEntries(ctx.people.areaOf) })
    },
  )

  app.post<{ Body: { line: string; equipment: string; rule: unknown; from?: string; to?: string } }>(
    '/api/rules/what-if',
    {
      config: { permission: 'rules:write' },
      schema: {
        summary: 'Replay a new or changed rule over stored history: the alarms it would have raised',
        tags: ['alerts'],
        body: { type: 'object', required: ['line', 'equipment', 'rule'], properties: { line: str, equipment: str, rule: { type: 'object' }, from: str, to: str } },
      },
    },
    async (req) => {
      const b = req.body
      const { from, to } = timeRange(b, now(), 24 * 3_600_000)
      if (to - from > 31 * 86_400_000) throw errors.badRequest('the replay covers at most 31 days')
      const loaded = loadRuleDefinition(b.rule, ctx.plant, b.line, b.equipment)
      if (!loaded.rules) throw errors.badRequest(`the rule is invalid: ${loaded.problems.join('; ')}`)
      const rule = loaded.rules[0]
      const series: Record<string, { ts: number; value: number }[]> = {}
      for (const sensor of conditionSensors(rule.condition))
        series[sensor] = await ctx.timeseries.range({ line: b.line, equipment: b.equipment, sensor, from, to, limit: 5_000_000 })
      const result = whatIf(rule, mergeSeries(series), { until: to })
      return { from, to, rule: { key: rule.key, priority: rule.priority, description: rule.description }, ...result }
    },
  )

  app.get<{ Querystring: { area?: string; at?: string } }>(
    '/api/oncall',
    {
      config: { permission: 'alerts:read' },
      schema: { summary: 'Who is responsible for an area now (or at a given time): operator on shift, foreman, maintenance manager', tags: ['alerts'], querystring: { type: 'object', required: ['area'], properties: { area: str, at: str } } },
    },
    async (req) => {
      const area = req.query.area!
      if (!ctx.people.file.areas[area]) throw errors.notFound(`no area "${area.slice(0, 60)}"; areas: ${Object.keys(ctx.people.file.areas).join(', ')}`)
      const at = req.query.at ? timeRange({ to: req.query.at }, now(), 0).to : now()
      return onCallToJson(onCall(ctx.people, area, at, { timezone: ctx.timezone, escalation: ctx.escalation }))
    },
  )
}
