// The HTTP server (fastify): REST API, health and metrics, OpenAPI document. Errors are mapped
// to HTTP in one place: catalogue errors keep their status, validation failures are 400s
// with the reason, anything else is a logged 500 that shows no internals.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { Registry } from 'prom-client'
import type { Config } from '../core/config.ts'
import { MillwatchError } from '../core/errors.ts'
import type { Logger } from '../core/log.ts'
import type { Ingest } from '../ingest/index.ts'
import type { TimeSeriesStore } from '../store/types.ts'
import { installAuth, type AuthContext } from './auth/plugin.ts'
import { apiRoutes } from './routes/api.ts'
import { authRoutes } from './routes/auth.ts'
import { alertsRoutes, type AlertsRoutesContext } from './routes/alerts.ts'
import { alertCoilsRoutes } from './routes/alert-coils.ts'
import { inboxRoutes } from './routes/inbox.ts'
import { opsRoutes } from './routes/ops.ts'
import { badCodeUrl, coilRoutes } from './routes/coils.ts'
import type { CoilService } from '../coils/service.ts'
import { kpiRoutes } from './routes/kpi.ts'
import { reportRoutes } from './routes/reports.ts'
import type { ShiftReports } from './kpi/report-schedule.ts'
import type { ProductionRecords, ShiftReportRecords } from '../store/types.ts'
import type { LiveHub } from './live.ts'
import { liveRoutes } from './routes/live.ts'
import { pageRoutes } from './routes/pages.ts'

export interface DashboardContext {
  config: Pick<Config, 'plant' | 'publicUrl'>
  log: Logger
  metrics: Registry
  timeseries: TimeSeriesStore
  /** absent when this process runs no ingest */
  ingest?: Pick<Ingest, 'deadLetters' | 'stats'>
  /** parts report readiness here; /healthz is 200 only when all are ready */
  health: () => { ready: boolean; parts: Record<string, string> }
  /** PEM certificate and key: serve HTTPS instead of HTTP */
  tls?: { cert: string | Buffer; key: string | Buffer }
  /** absent when this process runs no alerts part */
  alerts?: Omit<AlertsRoutesContext, 'auth' | 'timeseries' | 'plant' | 'people'>
  /** sign-in, roles, tokens, audit (dashboard/auth) */
  auth: AuthContext
  now?: () => number
  /** coil records, QR resolution and the coil pages; absent when this process runs no coils part */
  coils?: CoilService
  /** production KPIs (issue 6): the finished coils' figures; absent when this process keeps no coil records */
  kpi?: { production: ProductionRecords; reports?: { records: ShiftReportRecords; generator: Pick<ShiftReports, 'generate'> } }
  /** newest readings pushed to the live view; absent when this process runs no ingest */
  live?: LiveHub
}

export async function buildApp(ctx: DashboardContext): Promise<FastifyInstance> {
  const app = Fastify({
    ...(ctx.tls ? { https: { cert: ctx.tls.cert, key: ctx.tls.key } } : {}),
    loggerInstance: ctx.log.child({ part: 'dashboard' }) as FastifyBaseLogger,
    // One line per request at 25k MQTT messages/s of context is noise; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 200 },
    // A scanned coil code with broken percent-encoding gets the coil routes' "no such coil" page.
    frameworkErrors: badCodeUrl,
  })

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'millwatch',
        version: '0.1.0',
        description: 'Telemetry, alarms, coils and trends of a tandem cold-rolling mill. Times are epoch ms (UTC) or ISO 8601.',
      },
      servers: [{ url: ctx.config.publicUrl }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  await installAuth(app, ctx.auth)

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof MillwatchError) return reply.status(err.statusCode).send({ error: err.code, message: err.message })
    const e = err as { validation?: unknown; statusCode?: number; code?: string; message: string }
    if (e.validation) return reply.status(400).send({ error: 'MW_BAD_REQUEST', message: e.message })
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)
      return reply.status(e.statusCode).send({ error: e.code ?? 'MW_BAD_REQUEST', message: e.message })
    req.log.error({ err, url: req.url }, 'request failed')
    return reply.status(500).send({ error: 'MW_INTERNAL', message: 'internal error; see the server log' })
  })
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: 'MW_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  )

  await app.register(opsRoutes(ctx))
  await app.register(apiRoutes(ctx))
  await app.register(authRoutes(ctx.auth))
  if (ctx.coils) await app.register(coilRoutes(ctx, ctx.coils))
  if (ctx.alerts) {
    await app.register(alertsRoutes({ ...ctx.alerts, auth: ctx.auth, timeseries: ctx.timeseries, plant: ctx.config.plant, people: ctx.auth.people, now: ctx.now }))
    await app.register(inboxRoutes({ alerts: ctx.alerts.alerts, people: ctx.auth.people, auth: ctx.auth, now: ctx.now }))
    if (ctx.coils) await app.register(alertCoilsRoutes({ alerts: ctx.alerts.alerts, records: ctx.alerts.records, coils: ctx.coils, now: ctx.now }))
  }
  if (ctx.live) await app.register(liveRoutes({ live: ctx.live, plant: ctx.config.plant }))
  await app.register(pageRoutes(ctx))
  if (ctx.kpi)
    await app.register(kpiRoutes({ plant: ctx.config.plant, people: ctx.auth.people, now: ctx.now, sources: { timeseries: ctx.timeseries, production: ctx.kpi.production, alarms: ctx.alerts?.records } }))
  if (ctx.kpi?.reports)
    await app.register(reportRoutes({ reports: ctx.kpi.reports.records, generator: ctx.kpi.reports.generator, plant: ctx.config.plant, people: ctx.auth.people, demo: ctx.auth.demo, now: ctx.now }))
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  return app
}
