// Builds and stores each shift's report when the shift ends (node-cron, in the plant's time
// zone), a few minutes after the change so the last coil's record and the last minute's
// rollup are in. At start it builds the last ended shift's report if it is missing, so a
// restart across a shift change loses no report. `generate` builds one on demand.
import cron from 'node-cron'
import type { Logger } from '../../core/log.ts'
import type { People } from '../../core/people.ts'
import type { Plant } from '../../core/plant.ts'
import { shiftAt, type ShiftSlot } from '../../core/shifts.ts'
import type { ShiftReportRecords, StoredShiftReport } from '../../store/types.ts'
import { buildShiftReport, reportId } from './report.ts'
import type { KpiSources } from './source.ts'

export interface ShiftReportsContext {
  sources: KpiSources
  reports: ShiftReportRecords
  plant: Plant
  people: People
  log: Logger
  now?: () => number
}

export interface ShiftReports {
  /** Builds and stores the report of the shift that holds `at` (default: the last ended shift). */
  generate(opts?: { at?: number; line?: string }): Promise<StoredShiftReport>
  close(): void
}

/** Minutes after the shift change the report is built. */
export const REPORT_DELAY_MIN = 5

/** node-cron expressions (minute hour) firing REPORT_DELAY_MIN after each shift start. */
export function reportSchedules(shifts: readonly { start: string }[]): string[] {
  return shifts.map((s) => {
    const m = Number(s.start.slice(0, 2)) * 60 + Number(s.start.slice(3, 5)) + REPORT_DELAY_MIN
    return `${m % 60} ${Math.floor(m / 60) % 24} * * *`
  })
}

export function startShiftReports(ctx: ShiftReportsContext, opts: { schedule?: boolean; backfill?: boolean } = {}): ShiftReports {
  const log = ctx.log.child({ part: 'shift-reports' })
  const now = ctx.now ?? Date.now
  const tz = ctx.plant.timezone
  const areaOf = Object.fromEntries(ctx.people.areaOf)
  const lastEnded = (t: number): ShiftSlot => shiftAt(shiftAt(t, ctx.people.file, tz).start - 1, ctx.people.file, tz)

  async function generate(o: { at?: number; line?: string } = {}) {
    const slot = o.at === undefined ? lastEnded(now()) : shiftAt(o.at, ctx.people.file, tz)
    const line = o.line ?? ctx.plant.lines.keys().next().value!
    const report = await buildShiftReport({ sources: ctx.sources, plant: ctx.plant, people: ctx.people.file, areaOf, now: now() }, line, slot)
    await ctx.reports.save(report)
    log.info({ id: report.id }, 'shift report stored')
    return report
  }
  const everyLine = async () => {
    for (const line of ctx.plant.lines.keys()) await generate({ line })
  }
  const run = () => void everyLine().catch((err) => log.error({ err }, 'shift report failed'))

  const tasks = opts.schedule === false ? [] : reportSchedules(ctx.people.file.shifts).map((expr, i) => cron.schedule(expr, run, { timezone: tz, name: `shift-report-${i}`, noOverlap: true }))
  if (opts.backfill !== false)
    void (async () => {
      const slot = lastEnded(now())
      for (const line of ctx.plant.lines.keys()) if (!(await ctx.reports.get(reportId(line, slot)))) await generate({ line })
    })().catch((err) => log.warn({ err }, 'could not build the last shift report at start'))

  let closed = false
  return {
    generate,
    close() {
      if (closed) return
      closed = true
      for (const t of tasks) t.stop()
    },
  }
}
