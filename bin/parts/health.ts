// Health and metrics for a process without the dashboard (an ingest worker, a standby): a
// minimal fastify on HTTP_PORT serving only /healthz and /metrics, so every part can be
// probed by the orchestrator and scraped by Prometheus like the full dashboard.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import type { Logger } from '../../core/log.ts'

export interface HealthAppOptions {
  log: Logger
  metrics: Registry
  /** the same shape the dashboard's /healthz answers with */
  health: () => { ready: boolean; status?: string; parts: Record<string, string> }
}

/** Not listening yet: the caller listens on HTTP_PORT, as it does with the dashboard. */
export async function buildHealthApp(o: HealthAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: o.log.child({ part: 'health' }) as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }) })
  app.get('/healthz', async (_req, reply) => {
    const h = o.health()
    return reply.status(h.ready ? 200 : 503).send({ status: h.status ?? (h.ready ? 'ok' : 'starting'), parts: h.parts })
  })
  app.get('/metrics', async (_req, reply) => reply.type(o.metrics.contentType).send(await o.metrics.metrics()))
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: 'MW_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}: this process serves only /healthz and /metrics (no dashboard part)` }),
  )
  return app
}

/** Listens at once: a standby's health while it waits for the records store. */
export async function startHealthServer(o: HealthAppOptions & { host: string; port: number }): Promise<{ close(): Promise<void> }> {
  const app = await buildHealthApp(o)
  await app.listen({ host: o.host, port: o.port })
  let closing: Promise<void> | undefined
  return { close: () => (closing ??= app.close()) }
}
