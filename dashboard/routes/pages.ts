// The manager's pages (issue 6) and what they load: /overview, /trends, /drill, /live,
// /explorer; uPlot and the page scripts, served from this process (the plant LAN may have no
// internet); and the alarms of a period, which the drill-down lists. The pages need kpi:read
// (manager, engineer, admin); signed out, they send the visitor to sign in and come back.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { alarmsDuring } from '../../alerts/during.ts'
import { errors } from '../../core/errors.ts'
import { shiftAt } from '../../core/shifts.ts'
import type { DashboardContext } from '../app.ts'
import { allowed } from '../auth/plugin.ts'
import { drillBody, explorerBody, liveBody, overviewBody, trendsBody, type PageData } from '../pages/dashboard.ts'
import { esc, page } from '../pages/layout.ts'
import { timeRange } from '../query.ts'

const require = createRequire(import.meta.url)
const uplotDir = require.resolve('uplot/dist/uPlot.iife.min.js').replace(/uPlot\.iife\.min\.js$/, '')
const own = (name: string) => readFileSync(new URL(`../public/dashboard/${name}`, import.meta.url))
const JS = 'text/javascript; charset=utf-8'
const CSS = 'text/css; charset=utf-8'
const HEAD = '<link rel="stylesheet" href="/assets/uplot.min.css"><link rel="stylesheet" href="/assets/dashboard/dashboard.css">'
/** A drill-down covers at most a week: it lists single coils and alarms, not trends. */
const MAX_DRILL_MS = 7 * 86_400_000

export const pageRoutes = (ctx: DashboardContext) => async (app: FastifyInstance) => {
  const now = ctx.now ?? Date.now
  const plant = ctx.config.plant
  const people = ctx.auth.people.file
  const pageData = (): PageData => ({
    timezone: plant.timezone,
    line: [...plant.lines.keys()][0],
    shifts: people.shifts.map((s) => s.id),
    crews: Object.keys(people.rotation.crews),
    shiftStart: shiftAt(now(), people, plant.timezone).start,
  })

  /** Signed out → sign in and come back; signed in without kpi:read → a page saying so (403). */
  function mayRead(req: FastifyRequest, reply: FastifyReply): boolean {
    if (req.actor.kind === 'anonymous') {
      void reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303)
      return false
    }
    if (allowed(req.actor, 'kpi:read', ctx.auth.demo)) return true
    void html(reply, 'Not for your role', `<h1>Not for your role</h1><p>${esc(req.actor.name)} (${esc(req.actor.roles.join(', '))}) may not see production figures; managers, engineers and admins may.</p>`, req, 403)
    return false
  }
  const html = (reply: FastifyReply, title: string, body: string, req: FastifyRequest, status = 200) =>
    reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page({ title, body, head: HEAD, wide: true, signedIn: req.actor.name }))

  const pages: [string, string, (d: PageData) => string][] = [
    ['/overview', 'Overview', overviewBody],
    ['/trends', 'Trends', trendsBody],
    ['/live', 'Live', liveBody],
    ['/explorer', 'Explorer', explorerBody],
  ]
  for (const [path, title, body] of pages)
    app.get(path, { schema: { hide: true } }, async (req, reply) => (mayRead(req, reply) ? html(reply, title, body(pageData()), req) : reply))

  app.get<{ Querystring: { from?: string; to?: string } }>('/drill', { schema: { hide: true } }, async (req, reply) => {
    if (!mayRead(req, reply)) return reply
    const { from, to } = timeRange(req.query, now(), 3_600_000)
    if (to - from > MAX_DRILL_MS) throw errors.badRequest('a drill-down covers at most 7 days; pick a shorter period')
    return html(reply, 'Drill-down', drillBody(pageData(), from, to), req)
  })

  app.get<{ Querystring: { line?: string; from?: string; to?: string } }>(
    '/api/alerts/during',
    {
      config: { permission: 'alerts:read' },
      schema: {
        summary: 'The alarms of a line that were active at any moment of a period (from the stored ISA-18.2 transitions), oldest first',
        tags: ['alerts'],
        querystring: { type: 'object', properties: { line: { type: 'string', maxLength: 64 }, from: { type: 'string', maxLength: 40 }, to: { type: 'string', maxLength: 40 } } },
      },
    },
    async (req) => {
      if (!ctx.alerts) throw errors.notFound('this process runs no alerts part')
      const line = req.query.line || [...plant.lines.keys()][0]
      const { from, to } = timeRange(req.query, now(), 3_600_000)
      if (to - from > MAX_DRILL_MS) throw errors.badRequest('from–to: at most 7 days')
      return { line, from, to, alarms: await alarmsDuring(ctx.alerts.records, line, from, to) }
    },
  )

  // Browsers ask for it on every site; "nothing here" instead of a 404 in every page's console.
  app.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) => reply.status(204).header('cache-control', 'public, max-age=86400').send())

  // Read once at startup. uPlot changes only with an upgrade: a day's caching; the page scripts an hour's.
  const uplotVersion = (require('uplot/package.json') as { version: string }).version
  const files: Record<string, [Buffer, string, string]> = {
    '/assets/uplot.min.js': [readFileSync(uplotDir + 'uPlot.iife.min.js'), JS, uplotVersion],
    '/assets/uplot.min.css': [readFileSync(uplotDir + 'uPlot.min.css'), CSS, uplotVersion],
  }
  for (const name of ['mw.js', 'overview.js', 'trends.js', 'drill.js', 'live.js', 'explorer.js']) files[`/assets/dashboard/${name}`] = [own(name), JS, '']
  files['/assets/dashboard/dashboard.css'] = [own('dashboard.css'), CSS, '']
  for (const [path, [body, type, version]] of Object.entries(files))
    app.get(path, { schema: { hide: true } }, async (_req, reply) =>
      reply.type(type).header('cache-control', version ? 'public, max-age=86400' : 'public, max-age=3600').header('etag', `"${version || 'mw'}-${body.length}"`).send(body),
    )
}
