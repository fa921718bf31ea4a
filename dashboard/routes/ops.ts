// Operations endpoints: readiness, Prometheus metrics and a landing page with the links.
import type { FastifyInstance } from 'fastify'
import type { DashboardContext } from '../app.ts'
import { allowed } from '../auth/plugin.ts'

export const opsRoutes = (ctx: DashboardContext) => async (app: FastifyInstance) => {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Readiness: 200 once every part of this process is running, 503 before, and 503 with `store: "degraded"` while the store cannot commit (disk full or read-only: nothing is acknowledged to devices then)',
        tags: ['operations'],
      },
    },
    async (_req, reply) => {
      const h = ctx.health()
      if (!h.ready) return reply.status(503).send({ status: 'starting', parts: h.parts })
      const failing = ctx.timeseries.stats().failing
      if (failing) return reply.status(503).send({ status: 'degraded', parts: h.parts, store: 'degraded', reason: failing })
      return reply.status(200).send({ status: 'ok', parts: h.parts })
    },
  )

  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text exposition format)', tags: ['operations'] } }, async (_req, reply) => {
    const text = await ctx.metrics.metrics()
    return reply.type(ctx.metrics.contentType).send(text)
  })

  app.get('/', { schema: { hide: true } }, async (req, reply) => {
    // Managers, engineers and admins land on the production overview; everyone else on the links.
    if (allowed(req.actor, 'kpi:read', false)) return reply.redirect('/overview', 303)
    const lines = [...ctx.config.plant.lines.values()]
    const links = [
      ['/api/plant', 'the plant model: lines, equipment, sensors, units, limits'],
      [`/api/latest?line=${lines[0]?.id ?? ''}`, 'the newest value of every sensor'],
      ['/api/ingest/dead-letters', 'messages ingest could not store, and why'],
      ['/overview', 'production overview, trends, live view and sensor explorer (managers, engineers; sign in)'],
      ['/docs', 'the HTTP API, browsable (OpenAPI)'],
      ['/metrics', 'Prometheus metrics'],
    ]
    const items = links.map(([href, text]) => `<li><a href="${href}">${href}</a> — ${text}</li>`).join('\n')
    return reply
      .type('text/html; charset=utf-8')
      .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>millwatch</title></head>
<body style="font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem">
<h1>millwatch</h1><p>Monitoring ${lines.map((l) => l.name).join(', ')}.</p><ul>${items}</ul></body></html>`)
  })
}
