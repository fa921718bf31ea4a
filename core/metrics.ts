// Prometheus metrics: one registry per process (not prom-client's global one, so tests can
// start several millwatch parts side by side).
import { Registry, collectDefaultMetrics } from 'prom-client'

export { Registry }

export function createRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry()
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'mw_' })
  return registry
}
