// A coil's life after the mill, as QA and dispatch move it (issue 5, "QA actions"):
//
//   rolling ──finish──▶ finished ──▶ hold ◀──▶ released ──▶ shipped
//      │                   │           │           │
//      └───────────────────┴───────────┴───────────┴──▶ scrapped
//
// - `finished` comes from the line's finish event (or a level-3 correction when it was lost).
// - `hold` only once the coil is off the mill (finished or released): a coil being rolled
//   cannot be set aside; "suspect" (an alarm while rolling) is a mark, not a status.
// - `released` from finished or hold: the QA decision that it may be used or sold.
// - `shipped` only from released: nothing on hold, or never judged, leaves the plant.
// - `scrapped` from anything not yet shipped (a strip break mid-coil scraps a rolling coil).
// - `shipped` and `scrapped` are final: a customer claim on a shipped coil is handled as a
//   claim, not by holding a coil the plant no longer has.
// A coil that was split into children takes no further status: its children carry on.
import type { Failure } from './gs1.ts'
import type { CoilRecord, CoilStatus } from './model.ts'

export const TRANSITIONS: Readonly<Record<CoilStatus, readonly CoilStatus[]>> = Object.freeze({
  rolling: ['finished', 'scrapped'],
  finished: ['hold', 'released', 'scrapped'],
  hold: ['released', 'scrapped'],
  released: ['hold', 'shipped', 'scrapped'],
  shipped: [],
  scrapped: [],
})

export const canTransition = (from: CoilStatus, to: CoilStatus): boolean => TRANSITIONS[from].includes(to)

/** Statuses that say why in words: a hold or a scrapping without a reason helps nobody later. */
const NEEDS_REASON: readonly CoilStatus[] = ['hold', 'scrapped']

export interface TransitionRequest {
  to: CoilStatus
  /** epoch ms */
  at: number
  /** who (user ID), for the audit trail */
  by?: string
  reason?: string
}

/** The coil with its new status, or why it cannot move there. */
export function transition(record: CoilRecord, req: TransitionRequest): CoilRecord | Failure {
  if (record.children.length > 0)
    return { error: `coil ${record.id} was split into ${record.children.join(', ')}: act on those coils` }
  if (!canTransition(record.status, req.to)) {
    const allowed = TRANSITIONS[record.status]
    return {
      error: `coil ${record.id} is ${record.status}: it cannot become ${req.to}` + (allowed.length ? ` (only ${allowed.join(', ')})` : ' (final)'),
    }
  }
  const reason = req.reason?.trim()
  if (NEEDS_REASON.includes(req.to) && !reason) return { error: `a reason is needed to set a coil to ${req.to}` }
  return {
    ...record,
    status: req.to,
    ...(req.to === 'finished' && record.finishedAt === undefined && { finishedAt: req.at }),
    statusChange: { at: req.at, ...(req.by !== undefined && { by: req.by }), ...(reason && { reason }) },
  }
}
