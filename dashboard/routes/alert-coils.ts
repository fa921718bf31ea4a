// GET /api/alerts/{id}/coils (issue 5, "suspect" coils): the coils an alarm occurrence may have
// touched — every coil of its line that was on the mill during one of the occurrence's active
// intervals (alerts/intervals.ts). Read from the stored transitions, so it answers for
// occurrences long closed as well as the one active now.
import type { FastifyInstance } from 'fastify'
import { activeIntervals } from '../../alerts/intervals.ts'
import type { Alerts } from '../../alerts/service.ts'
import type { CoilRecord } from '../../coils/model.ts'
import type { CoilService } from '../../coils/service.ts'
import { errors } from '../../core/errors.ts'
import type { AlarmRecords } from '../../store/types.ts'

export interface AlertCoilsContext {
  alerts: Pick<Alerts, 'flushed'>
  records: Pick<AlarmRecords, 'transitions'>
  coils: Pick<CoilService, 'onMill'>
  now?: () => number
}

/** An occurrence has a handful of transitions; this bounds a pathological chattering one. */
const MAX_TRANSITIONS = 10_000
/** Coils per answer: a stale alarm active for days on a busy line touches many. */
const MAX_COILS = 5000

export const alertCoilsRoutes = (ctx: AlertCoilsContext) => async (app: FastifyInstance) => {
  const now = ctx.now ?? Date.now
  app.get<{ Params: { id: string } }>(
    '/api/alerts/:id/coils',
    {
      config: { permission: 'coils:read' },
      schema: {
        summary: 'The coils an alarm occurrence may have touched: every coil of its line on the mill while it was active',
        description:
          'The occurrence (its id as in GET /api/alerts) with its active intervals — from each activation to the clear, open while still active — ' +
          'and the coil records of its line that overlapped any of them, oldest start first. A coil without a finish counts as on the mill for 4 h after its start. ' +
          'Coils marked suspect by this alarm carry its id in `suspectAlarms`.',
        tags: ['alerts', 'coils'],
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } },
      },
    },
    async (req) => {
      await ctx.alerts.flushed() // an alarm raised a moment ago is stored before it is looked up
      const transitions = await ctx.records.transitions({ alarmId: req.params.id, limit: MAX_TRANSITIONS })
      const occurrence = activeIntervals(transitions)
      if (!occurrence) throw errors.notFound(`no alarm "${req.params.id.slice(0, 100)}" has been active (ids as in GET /api/alerts)`)
      const t = now()
      const byId = new Map<string, CoilRecord>()
      for (const i of occurrence.intervals) {
        const to = i.to ?? Math.max(t, i.from) + 1
        for (const c of await ctx.coils.onMill({ line: occurrence.line, from: i.from, to, limit: MAX_COILS })) byId.set(c.id, c)
      }
      const coils = [...byId.values()].sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || a.id.localeCompare(b.id)).slice(0, MAX_COILS)
      return { alarm: occurrence, coils, truncated: byId.size > MAX_COILS }
    },
  )
}
