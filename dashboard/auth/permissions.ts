// What each role may do (issue: "who may see and do what"). Routes name one permission each;
// this table is the single place that grants it. `anonymous` applies only to the
// zero-setup demo on loopback, where anyone on this machine may read telemetry.
import { ROLES, type Role } from '../../core/people.ts'

const ALL: readonly Role[] = ROLES

export const PERMISSIONS = {
  'telemetry:read': ALL,
  'ingest:read': ['engineer', 'admin'],
  'alerts:read': ALL,
  'alerts:ack': ['worker', 'foreman'],
  'alerts:shelve': ['foreman'],
  'coils:read': ALL,
  'coils:qa': ['qa'],
  'kpi:read': ['manager', 'engineer', 'admin'],
  'reports:write': ['engineer', 'admin'],
  'rules:write': ['engineer'],
  'plant:write': ['engineer'],
  'people:admin': ['admin'],
  'tokens:admin': ['admin'],
  'audit:read': ['admin'],
} as const satisfies Record<string, readonly Role[]>

export type Permission = keyof typeof PERMISSIONS

/** Granted to nobody signed out, except in the loopback demo. */
export const DEMO_ANONYMOUS: readonly Permission[] = ['telemetry:read']

export function can(roles: readonly Role[], permission: Permission): boolean {
  const allowed: readonly Role[] = PERMISSIONS[permission]
  return roles.some((r) => allowed.includes(r))
}
