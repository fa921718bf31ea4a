// The shift report (issue 6: "a daily shift report (tonnage, quality, alarms, downtime)"): the
// figures of one ended shift, built from the same reads and pure figures as the overview, plus
// the shift's hours as a small table. Stored as JSON (ShiftReportRecords) and shown as a
// printable page (dashboard/kpi/report-page.ts).
import type { Plant } from '../../core/plant.ts'
import type { PeopleFile } from '../../core/people.ts'
import type { ShiftSlot } from '../../core/shifts.ts'
import type { StoredShiftReport } from '../../store/types.ts'
import { overview, periodRows, type Overview, type PeriodRow } from './figures.ts'
import { periods } from './periods.ts'
import { readKpiInput, type KpiSources } from './source.ts'

export interface ShiftReport extends Overview {
  line: string
  lineName: string
  shift: { id: string; date: string; crew?: string; start: number; end: number }
  timezone: string
  /** minutes the line stood (stop time); minutes without readings are listed apart */
  downtimeMinutes: number
  hours: PeriodRow[]
  generatedAt: number
}

export const reportId = (line: string, s: Pick<ShiftSlot, 'date' | 'shiftId'>) => `${line}-${s.date}-${s.shiftId}`

export async function buildShiftReport(
  ctx: { sources: KpiSources; plant: Plant; people: Pick<PeopleFile, 'shifts' | 'rotation'>; areaOf: Readonly<Record<string, string>>; now: number },
  lineId: string,
  slot: ShiftSlot,
): Promise<StoredShiftReport> {
  const line = ctx.plant.lines.get(lineId)
  if (!line) throw new Error(`no line "${lineId}"`)
  const exit = [...line.equipment.values()].find((e) => e.class === 'exit')?.id
  const input = await readKpiInput(ctx.sources, { line: lineId, exit, from: slot.start, to: slot.end })
  const settings = { ratedSpeed_mps: line.ratedSpeed_mps, areaOf: ctx.areaOf, now: ctx.now }
  const figures = overview(input, [{ from: slot.start, to: slot.end }], settings)
  const report: ShiftReport = {
    line: lineId,
    lineName: line.name,
    shift: { id: slot.shiftId, date: slot.date, ...(slot.crew !== undefined && { crew: slot.crew }), start: slot.start, end: slot.end },
    timezone: ctx.plant.timezone,
    ...figures,
    downtimeMinutes: figures.oee.stopMinutes,
    hours: periodRows(input, periods('hour', slot.start, slot.end, ctx.people, ctx.plant.timezone), settings),
    generatedAt: ctx.now,
  }
  return {
    id: reportId(lineId, slot),
    line: lineId,
    shiftId: slot.shiftId,
    date: slot.date,
    ...(slot.crew !== undefined && { crew: slot.crew }),
    start: slot.start,
    end: slot.end,
    createdAt: ctx.now,
    report: report as unknown as Record<string, unknown>,
  }
}
