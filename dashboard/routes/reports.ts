// Shift reports over HTTP (issue 6): the list and each report as a printable page, the same
// as JSON, and building one on demand (an engineer checking a report, a test, a missed run).
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errors } from '../../core/errors.ts'
import type { People } from '../../core/people.ts'
import type { Plant } from '../../core/plant.ts'
import { shiftAt } from '../../core/shifts.ts'
import type { ShiftReportRecords } from '../../store/types.ts'
import { allowed } from '../auth/plugin.ts'
import type { ShiftReports } from '../kpi/report-schedule.ts'
import { startOfLocalDay } from '../kpi/periods.ts'
import { shiftReportListPage, shiftReportPage } from '../pages/shift-report.ts'
import { timeParam } from '../query.ts'

export interface ReportRoutesContext {
  reports: ShiftReportRecords
  generator: Pick<ShiftReports, 'generate'>
  plant: Plant
  people: People
  demo: boolean
  now?: () => number
}

const CSS = readFileSync(new URL('../public/report.css', import.meta.url))
const tags = ['kpi']
const KEY = /^(\d{4}-\d{2}-\d{2})\/([a-z0-9][a-z0-9._-]{0,63})$/

export const reportRoutes = (ctx: ReportRoutesContext) => async (app: FastifyInstance) => {
  const now = ctx.now ?? Date.now
  const tz = ctx.plant.timezone
  const html = (reply: FastifyReply, body: string, status = 200) => reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body)
  /** Pages answer a browser: signed out → the sign-in page, then back here. */
  const mayRead = (req: FastifyRequest, reply: FastifyReply) => {
    if (allowed(req.actor, 'kpi:read', ctx.demo)) return true
    if (req.actor.kind === 'anonymous') void reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303)
    else void reply.status(403).type('text/plain; charset=utf-8').send(`${req.actor.name} may not read shift reports`)
    return false
  }
  const signedIn = (req: FastifyRequest) => (req.actor.kind === 'anonymous' ? undefined : req.actor.name)

  app.get('/assets/report.css', { schema: { hide: true } }, async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CSS))

  app.get('/reports', { schema: { hide: true } }, async (req, reply) => {
    if (!mayRead(req, reply)) return reply
    return html(reply, shiftReportListPage(await ctx.reports.list({ limit: 200 }), tz, signedIn(req)))
  })

  app.get<{ Params: { id: string } }>('/reports/:id', { schema: { hide: true } }, async (req, reply) => {
    if (!mayRead(req, reply)) return reply
    const r = await ctx.reports.get(req.params.id)
    if (!r) return html(reply, shiftReportListPage(await ctx.reports.list({ limit: 200 }), tz, signedIn(req)), 404)
    return html(reply, shiftReportPage(r, signedIn(req)))
  })

  app.get<{ Querystring: { line?: string; limit?: string } }>('/api/reports', {
    config: { permission: 'kpi:read' },
    schema: { summary: 'Stored shift reports, newest shift first (without their figures)', tags, querystring: { type: 'object', properties: { line: { type: 'string', maxLength: 64 }, limit: { type: 'integer', minimum: 1, maximum: 1000 } } } },
  }, async (req) => ({ reports: await ctx.reports.list({ line: req.query.line || undefined, limit: req.query.limit === undefined ? 100 : Number(req.query.limit) }) }))

  app.get<{ Params: { id: string } }>('/api/reports/:id', {
    config: { permission: 'kpi:read' },
    schema: { summary: 'One shift report: tonnage, coils, quality, OEE factors, downtime, alarms, worst equipment, the shift\'s hours', tags },
  }, async (req) => {
    const r = await ctx.reports.get(req.params.id)
    if (!r) throw errors.notFound(`no shift report "${req.params.id.slice(0, 80)}"`)
    return r
  })

  app.post<{ Querystring: { shift?: string; line?: string } }>('/api/reports', {
    config: { permission: 'reports:write' },
    schema: {
      summary: 'Build (or rebuild) the report of a shift now: `shift` is `yyyy-mm-dd/<shift id>` or a time within the shift; default the last ended shift',
      tags,
      querystring: { type: 'object', properties: { shift: { type: 'string', maxLength: 80 }, line: { type: 'string', maxLength: 64 } } },
    },
  }, async (req, reply) => {
    const { shift, line } = req.query
    if (line && !ctx.plant.lines.has(line)) throw errors.badRequest(`line: no line "${line}"; lines: ${[...ctx.plant.lines.keys()].join(', ')}`)
    let at: number | undefined
    const key = shift ? KEY.exec(shift) : null
    if (key) {
      const def = ctx.people.file.shifts.find((s) => s.id === key[2])
      if (!def) throw errors.badRequest(`shift: no shift "${key[2]}"; shifts: ${ctx.people.file.shifts.map((s) => s.id).join(', ')}`)
      const midnight = startOfLocalDay(timeParam('shift', `${key[1]}T12:00:00Z`, 0), tz)
      at = midnight + (Number(def.start.slice(0, 2)) * 60 + Number(def.start.slice(3, 5))) * 60_000
    } else if (shift) at = timeParam('shift', shift, 0)
    if (at !== undefined && shiftAt(at, ctx.people.file, tz).start > now()) throw errors.badRequest('shift: that shift has not begun yet')
    const r = await ctx.generator.generate({ at, line: line || undefined })
    return reply.status(201).header('location', `/reports/${encodeURIComponent(r.id)}`).send(r)
  })
}
