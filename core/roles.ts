// Parts as processes (issue 7): ROLES=ingest,alerts,coils,dashboard — or `millwatch ingest
// alerts` — runs only those parts; without it one process runs them all, as before.
//
// What each part needs from the others (docs/deployment.md, "Parts and what they need"):
// - ingest    a time-series store, and a broker: the embedded one (devices connect to this
//             process) or an external MQTT 5 broker (MQTT_URL) whose telemetry several ingest
//             workers share through `$share/ingest/…` (INGEST_WORKER_ID names each one).
// - alerts    the records store (alarm states) and every reading: from ingest in the same
//             process, or its own subscription on the external broker. One process only: it
//             holds the alarm state machine and the escalation timers.
// - coils     the records store (coil events and records), every coil event (ingest in the
//             same process, or its own subscription) and the readings ingest stored, for the
//             process summary. One process only.
// - dashboard the time-series store and the records store (sign-in audit; the alarm and
//             coil pages when alerts and coils run in the same process).
// The records live in one DuckDB file that admits one writing process, so alerts, coils and
// dashboard run together; a standby of that process waits for the file (STANDBY=on).

export const ROLES = ['ingest', 'alerts', 'coils', 'dashboard'] as const
export type Role = (typeof ROLES)[number]

/** Parts that must run in exactly one process (they own the records and the timers). */
export const SINGLETON_ROLES: readonly Role[] = ['alerts', 'coils']

export interface RolesSetting {
  readonly set: ReadonlySet<Role>
  /** false when ROLES names a subset: the parts run as separate processes */
  readonly all: boolean
}

export const ALL_ROLES: RolesSetting = { set: new Set(ROLES), all: true }

/** Parses `ingest,alerts` (commas or spaces); problems are returned, not thrown. */
export function parseRoles(text: string | undefined): { roles?: RolesSetting; problems: string[] } {
  if (text === undefined || text.trim() === '' || text.trim() === 'all') return { roles: ALL_ROLES, problems: [] }
  const names = text.split(/[\s,]+/).filter(Boolean)
  const unknown = names.filter((n) => !(ROLES as readonly string[]).includes(n))
  if (unknown.length)
    return { problems: [`environment ROLES: unknown part${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} (the parts are ${ROLES.join(', ')})`] }
  const set = new Set(names as Role[])
  return { roles: { set, all: set.size === ROLES.length }, problems: [] }
}

/** The combinations that cannot work, each with what to do instead. */
export function roleProblems(roles: RolesSetting, env: { mqttUrl?: string; workerId?: string }): string[] {
  if (roles.all) return []
  const has = (r: Role) => roles.set.has(r)
  const problems: string[] = []
  if (!env.mqttUrl) {
    // Without an external broker the readings reach millwatch only through the embedded one,
    // which runs with ingest; a split deployment needs a broker every part can subscribe to.
    if (!has('ingest')) problems.push(`environment ROLES: ${describeRoles(roles)} without ingest needs MQTT_URL (an external broker to subscribe to; the embedded one runs with ingest)`)
  }
  if (has('ingest') && env.mqttUrl && !env.workerId)
    problems.push('environment INGEST_WORKER_ID: required for an ingest worker (a stable name per worker: its broker session, and the messages queued in it, survive a restart)')
  return problems
}

/** `ingest,alerts` for logs and /healthz. */
export const describeRoles = (roles: RolesSetting) => (roles.all ? 'all' : ROLES.filter((r) => roles.set.has(r)).join(','))
