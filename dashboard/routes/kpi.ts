// Production trends for plant managers (issue 6): the KPI endpoints. Every figure on the
// manager's pages comes from here, so other plant systems can read it too; each table is
// also a CSV download (`?format=csv` or `Accept: text/csv`). Three store reads per request
// whatever the table (dashboard/kpi/source.ts); `Server-Timing: app;dur=` reports the time spent.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { errors } from '../../core/errors.ts'
import type { People } from '../../core/people.ts'
import type { Plant } from '../../core/plant.ts'
import { flatTable, sendTable, tableOf } from '../csv.ts'
import { overview, periodRows, roundGrade, type KpiSettings } from '../kpi/figures.ts'
import { alarmCount, alarmFigures, responseTimes, worstEquipment } from '../kpi/alarms.ts'
import { filteredWindows, intersect, PERIOD_KINDS, periods, windowMinutes, type PeriodKind } from '../kpi/periods.ts'
import { qualityFigures } from '../kpi/quality.ts'
import { overviewResponse, productionResponse } from '../kpi/openapi.ts'
import { readKpiInput, type KpiSources } from '../kpi/source.ts'
import { timeRange } from '../query.ts'

export interface KpiRoutesContext {
  plant: Plant
  people: People
  sources: KpiSources
  now?: () => number
}

type Query = Record<string, string | undefined>
const str = { type: 'string', maxLength: 64 } as const
const range = {
  from: { type: 'string', maxLength: 40, description: 'epoch ms or ISO 8601; default: 24 h before `to`' },
  to: { type: 'string', maxLength: 40, description: 'epoch ms or ISO 8601, exclusive; default: now' },
  line: { ...str, description: 'default: the plant\'s first line' },
  format: { type: 'string', enum: ['json', 'csv'], description: '`csv` downloads the table (also with `Accept: text/csv`)' },
} as const
const by = { type: 'string', enum: [...PERIOD_KINDS], description: 'one row per plant-local hour, shift, day, or per crew' } as const
const filters = {
  crew: { ...str, description: 'only the shifts this crew worked (people.yaml rotation)' },
  shift: { ...str, description: 'only this shift of each day, e.g. `day`' },
} as const
const schema = (summary: string, properties: object, description?: string, response?: object) => ({
  summary, tags: ['kpi'], ...(description && { description }), querystring: { type: 'object', additionalProperties: false, properties }, ...(response && { response }),
})

const DAY = 86_400_000
const MAX_RANGE = 366 * DAY
const TIMING = Symbol('kpi.start')

const PRODUCTION_COLUMNS = ['key', 'label', 'from', 'to', 'crew', 'shift', 'tonnage_t', 'coils', 'avgSpeed_mps', 'peakSpeed_mps', 'inTolerancePct',
  'oee', 'availability', 'performance', 'quality', 'runMinutes', 'stopMinutes', 'noDataMinutes', 'alarms']
const OEE_COLUMNS = ['key', 'label', 'from', 'to', 'crew', 'shift', 'oee', 'availability', 'performance', 'quality', 'runMinutes', 'stopMinutes', 'noDataMinutes']

export const kpiRoutes = (ctx: KpiRoutesContext) => async (app: FastifyInstance) => {
  const now = ctx.now ?? Date.now
  const tz = ctx.plant.timezone
  const rotation = ctx.people.file
  const areaOf = Object.fromEntries(ctx.people.areaOf)

  app.addHook('onRequest', async (req) => void ((req as unknown as Record<symbol, number>)[TIMING] = performance.now()))
  app.addHook('onSend', async (req, reply) => {
    const start = (req as unknown as Record<symbol, number>)[TIMING]
    if (start !== undefined) reply.header('server-timing', `app;dur=${(performance.now() - start).toFixed(1)}`)
  })

  /** The request's line, range and filters, checked: every mistake is a 400 that says what to send. */
  function params(req: FastifyRequest) {
    const q = req.query as Query
    const { from, to } = timeRange(q, now(), DAY)
    if (to - from > MAX_RANGE) throw errors.badRequest('from–to covers at most 366 days')
    const lineId = q.line || ctx.plant.lines.keys().next().value
    const line = lineId === undefined ? undefined : ctx.plant.lines.get(lineId)
    if (!line) throw errors.badRequest(`line: no line "${String(q.line).slice(0, 64)}"; lines: ${[...ctx.plant.lines.keys()].join(', ')}`)
    const crews = Object.keys(rotation.rotation.crews)
    if (q.crew && !crews.includes(q.crew)) throw errors.badRequest(`crew: no crew "${q.crew}"; crews: ${crews.join(', ')}`)
    const shifts = rotation.shifts.map((s) => s.id)
    if (q.shift && !shifts.includes(q.shift)) throw errors.badRequest(`shift: no shift "${q.shift}"; shifts: ${shifts.join(', ')}`)
    const exit = [...line.equipment.values()].find((e) => e.class === 'exit')?.id
    const settings: KpiSettings = { ratedSpeed_mps: line.ratedSpeed_mps, areaOf, now: now() }
    const name = (what: string) => `${what}-${line.id}-${new Date(from).toISOString().slice(0, 16)}`
    return { q, from, to, line: line.id, exit, settings, name, head: { from, to, timezone: tz, line: line.id } }
  }
  const read = (p: ReturnType<typeof params>) => readKpiInput(ctx.sources, { line: p.line, exit: p.exit, from: p.from, to: p.to })
  const windowsOf = (p: ReturnType<typeof params>) => filteredWindows(p.from, p.to, { crew: p.q.crew, shift: p.q.shift }, rotation, tz)
  const periodsOf = (p: ReturnType<typeof params>) => {
    const kind = (p.q.by ?? 'hour') as PeriodKind
    const list = periods(kind, p.from, p.to, rotation, tz)
    if (!p.q.crew && !p.q.shift) return { kind, list }
    // The crew/shift filters narrow every period to the matching shifts (an hour of crew A's, crew B's night shifts).
    const allowed = windowsOf(p)
    const narrowed = list.map((x) => ({ ...x, windows: intersect(x.windows, allowed) })).filter((x) => x.windows.length > 0)
    return { kind, list: narrowed.map((x) => ({ ...x, from: x.windows[0].from, to: x.windows[x.windows.length - 1].to })) }
  }

  app.get('/api/kpi/overview', {
    config: { permission: 'kpi:read' },
    schema: schema('How the mill is doing over a period: production, thickness quality, OEE, alarm load, worst equipment', { ...range, ...filters },
      'OEE = availability × performance × quality; Cpk per grade pooled in tolerance units; alarm figures per EEMUA 191. Definitions: docs/kpi.md.', overviewResponse),
  }, async (req, reply) => {
    const p = params(req)
    const windows = windowsOf(p)
    const body = { ...p.head, ...(p.q.crew && { crew: p.q.crew }), ...(p.q.shift && { shift: p.q.shift }), ...overview(await read(p), windows, p.settings) }
    return sendTable(req, reply, body, p.name('overview'), flatTable)
  })

  app.get('/api/kpi/production', {
    config: { permission: 'kpi:read' },
    schema: schema('Production per hour, shift, day or crew: tonnage, coils, speed, in-tolerance share, OEE factors, alarms (oldest first)', { ...range, ...filters, by }, undefined, productionResponse),
  }, async (req, reply) => {
    const p = params(req)
    const { kind, list } = periodsOf(p)
    const body = { ...p.head, by: kind, rows: periodRows(await read(p), list, p.settings) }
    return sendTable(req, reply, body, p.name(`production-by-${kind}`), (b) => tableOf(b.rows, PRODUCTION_COLUMNS))
  })

  app.get('/api/kpi/oee', {
    config: { permission: 'kpi:read' },
    schema: schema('OEE and its three factors (availability, performance, quality) with run/stop minutes, per hour, shift, day or crew', { ...range, ...filters, by }, undefined, productionResponse),
  }, async (req, reply) => {
    const p = params(req)
    const { kind, list } = periodsOf(p)
    const rows = periodRows(await read(p), list, p.settings).map((r) => Object.fromEntries(OEE_COLUMNS.filter((c) => c in r).map((c) => [c, r[c as keyof typeof r]])))
    const body = { ...p.head, by: kind, rows }
    return sendTable(req, reply, body, p.name(`oee-by-${kind}`), (b) => tableOf(b.rows, OEE_COLUMNS))
  })

  app.get('/api/kpi/quality', {
    config: { permission: 'kpi:read' },
    schema: schema('Thickness quality per grade: coils, tonnage, share of length in tolerance, Cpk and Ppk', { ...range, ...filters }),
  }, async (req, reply) => {
    const p = params(req)
    const windows = windowsOf(p)
    const input = await read(p)
    const q = qualityFigures(input.coils.filter((c) => windows.some((w) => c.finishedAt >= w.from && c.finishedAt < w.to)))
    const body = { ...p.head, coils: q.coils, tonnage_t: Math.round(q.tonnage_t * 1000) / 1000, inTolerancePct: q.inTolerancePct === null ? null : Math.round(q.inTolerancePct * 100) / 100, byGrade: q.byGrade.map(roundGrade) }
    return sendTable(req, reply, body, p.name('quality'), (b) => tableOf(b.byGrade, ['grade', 'coils', 'tonnage_t', 'inTolerancePct', 'cpk', 'ppk']))
  })

  app.get('/api/kpi/alarms', {
    config: { permission: 'kpi:read' },
    schema: schema('Alarm load per area (EEMUA 191), mean time to acknowledge and to recover, the ten worst pieces of equipment; with `by`, alarms per period', { ...range, ...filters, by }),
  }, async (req, reply) => {
    const p = params(req)
    const input = await read(p)
    const windows = windowsOf(p)
    const byPeriod = p.q.by ? periodsOf(p) : undefined
    const body = {
      ...p.head,
      ...alarmFigures(input.transitions, windows, areaOf),
      worstEquipment: worstEquipment(input.transitions, windows, areaOf),
      ...(byPeriod && {
        by: byPeriod.kind,
        rows: byPeriod.list.map((x) => {
          const n = alarmCount(input.transitions, x.windows)
          const minutes = windowMinutes(x.windows)
          const { mttaMs, mttrMs } = responseTimes(input.transitions, x.windows)
          return { key: x.key, label: x.label, from: x.from, to: x.to, crew: x.crew, shift: x.shift, alarms: n, per10min: minutes > 0 ? Math.round((n * 1000) / minutes) / 100 : 0, mttaMs, mttrMs }
        }),
      }),
    }
    return sendTable(req, reply, body, p.name('alarms'), (b) =>
      b.rows ? tableOf(b.rows, ['key', 'label', 'from', 'to', 'crew', 'shift', 'alarms', 'per10min', 'mttaMs', 'mttrMs'])
        : tableOf(b.perArea, ['area', 'total', 'per10min', 'maxPer10min', 'floods', 'timeInFloodPct', 'chattering', 'stale']))
  })

  app.get('/api/kpi/coils', {
    config: { permission: 'kpi:read' },
    schema: schema('Drill-down: the coils that finished in a period (a coil counts where it finished), oldest first, with their thickness figures', { ...range }),
  }, async (req, reply) => {
    const p = params(req)
    const coils = await ctx.sources.production.finishedCoils({ line: p.line, from: p.from, to: p.to })
    const body = { ...p.head, coils }
    return sendTable(req, reply, body, p.name('coils'), (b) =>
      tableOf(b.coils, ['id', 'finishedAt', 'grade', 'weight_t', 'length_m', 'crew', 'shift', 'thickness.target_um', 'thickness.tolerance_um', 'thickness.mean_um', 'thickness.stdDev_um', 'thickness.inToleranceShare']))
  })
}
