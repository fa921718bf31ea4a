// The live stream of a line's readings (server-sent events), fed by the live hub
// (dashboard/live.ts). Like the alarm stream (routes/inbox.ts): permission checked before the
// stream opens, a comment line every 15 s keeps proxies from closing it, and the subscription
// ends when the client goes.
import type { FastifyInstance } from 'fastify'
import { errors } from '../../core/errors.ts'
import type { Plant } from '../../core/plant.ts'
import type { LiveHub } from '../live.ts'

export interface LiveRoutesContext {
  live: LiveHub
  plant: Plant
}

const description = `Server-sent events, one event type: \`values\`, whose data is JSON
\`{ "line": "tcm1", "sentAt": <epoch ms>, "snapshot": true|false, "values": { "<equipment>/<sensor>": [<reading ts, epoch ms>, <value>] } }\`.
The first event holds the newest reading of every series seen since millwatch started (\`snapshot: true\`);
then, about every 250 ms, an event with the series that changed. Readings are pushed as ingest accepts
them, before they are stored; the delay from a device's reading to the browser is the reading's ts
to the event's arrival. A comment line (\`: keep-alive\`) every 15 s keeps idle connections open.`

export const liveRoutes = (ctx: LiveRoutesContext) => async (app: FastifyInstance) => {
  app.get<{ Querystring: { line?: string } }>(
    '/api/live/stream',
    {
      config: { permission: 'telemetry:read' },
      schema: {
        summary: 'Live readings of one line (server-sent events)',
        description,
        tags: ['telemetry'],
        querystring: { type: 'object', properties: { line: { type: 'string', maxLength: 64, description: 'default: the first line of the plant' } } },
      },
    },
    async (req, reply) => {
      const line = req.query.line || [...ctx.plant.lines.keys()][0]
      if (!ctx.plant.lines.has(line)) throw errors.badRequest(`line: no line "${line.slice(0, 64)}" in the plant model`)
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
      // A client that stops reading must not make the server buffer frames without end: while
      // the socket is backed up, frames are dropped (the next one carries the newest values).
      const unsubscribe = ctx.live.subscribe(line, (json) => {
        if (!res.writableNeedDrain) res.write(`event: values\ndata: ${json}\n\n`)
      })
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000)
      req.raw.on('close', () => {
        clearInterval(keepAlive)
        unsubscribe()
      })
    },
  )
}
