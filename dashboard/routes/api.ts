// The telemetry API (DESIGN.md, "The public contract"): plant model, series, latest values,
// and ingest's dead letters.
import type { FastifyInstance } from 'fastify'
import { plantToJson } from '../../core/plant.ts'
import { errors } from '../../core/errors.ts'
import type { DashboardContext } from '../app.ts'
import { intParam, stepParam, timeRange } from '../query.ts'

const str = { type: 'string', maxLength: 200 } as const
const seriesQuery = {
  type: 'object',
  required: ['line', 'equipment', 'sensor'],
  properties: {
    line: str,
    equipment: str,
    sensor: str,
    from: { ...str, description: 'epoch ms or ISO 8601; default: one hour before `to`' },
    to: { ...str, description: 'epoch ms or ISO 8601, exclusive; default: now' },
    step: { ...str, description: 'bucket width (e.g. 10s, 1m, 1h); without it raw points are returned' },
    limit: { ...str, description: 'raw points at most (default 10000, up to 100000)' },
  },
} as const

const MAX_BUCKETS = 100_000

export const apiRoutes = (ctx: DashboardContext) => async (app: FastifyInstance) => {
  const now = ctx.now ?? Date.now
  const plantJson = plantToJson(ctx.config.plant)

  app.get('/api/plant', { config: { permission: 'telemetry:read' }, schema: { summary: 'Lines, equipment and sensors with units, valid ranges and limits', tags: ['telemetry'] } }, async () => plantJson)

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/series',
    { config: { permission: 'telemetry:read' }, schema: { summary: 'Readings of one sensor: raw points, or time buckets with avg/min/max/count when `step` is given', tags: ['telemetry'], querystring: seriesQuery } },
    async (req) => {
      const q = req.query
      const { from, to } = timeRange(q, now(), 3_600_000)
      const stepMs = stepParam(q.step)
      const key = { line: q.line!, equipment: q.equipment!, sensor: q.sensor! }
      const unit = ctx.config.plant.lines.get(key.line)?.equipment.get(key.equipment)?.sensors.get(key.sensor)?.unit
      const head = { ...key, unit, from, to }
      if (stepMs !== undefined) {
        if ((to - from) / stepMs > MAX_BUCKETS) throw errors.badRequest(`step: ${q.step} over this range makes more than ${MAX_BUCKETS} buckets; use a wider step`)
        return { ...head, step: stepMs, points: await ctx.timeseries.buckets({ ...key, from, to, stepMs }) }
      }
      const limit = intParam('limit', q.limit, 10_000, 1, 100_000)
      const points = await ctx.timeseries.range({ ...key, from, to, limit: limit + 1 })
      const truncated = points.length > limit
      return { ...head, points: truncated ? points.slice(0, limit) : points, truncated }
    },
  )

  app.get<{ Querystring: { line: string; equipment?: string } }>(
    '/api/latest',
    {
      config: { permission: 'telemetry:read' },
      schema: {
        summary: 'The newest value of every sensor of a line, or of one piece of equipment',
        tags: ['telemetry'],
        querystring: { type: 'object', required: ['line'], properties: { line: str, equipment: str } },
      },
    },
    async (req) => {
      const values = await ctx.timeseries.latest({ line: req.query.line, equipment: req.query.equipment || undefined })
      return { line: req.query.line, equipment: req.query.equipment, values }
    },
  )

  app.get<{ Querystring: { limit?: string } }>(
    '/api/ingest/dead-letters',
    {
      config: { permission: 'ingest:read' },
      schema: {
        summary: 'Messages (or values) ingest rejected, newest first, with the reason for each',
        tags: ['ingest'],
        querystring: { type: 'object', properties: { limit: str } },
      },
    },
    async (req) => {
      if (!ctx.ingest) throw errors.notFound('this process runs no ingest')
      const limit = intParam('limit', req.query.limit, 100, 1, ctx.ingest.deadLetters.capacity)
      return { total: ctx.ingest.stats().deadLetters, deadLetters: ctx.ingest.deadLetters.list(limit) }
    },
  )
}
