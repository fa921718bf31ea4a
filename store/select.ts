// STORE picks where the time series lives: the DuckDB file (default) or InfluxDB. The records
// (alarms, coils, audit) stay in the DuckDB file either way, so this only swaps the
// TimeSeriesStore the parts are given.
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { Config } from '../core/config.ts'
import { openInfluxStore } from './influx/index.ts'
import type { TimeSeriesStore } from './types.ts'

export interface SelectedTimeSeries {
  timeseries: TimeSeriesStore
  kind: 'duckdb' | 'influx'
  /** for /healthz and the banner; InfluxDB's says its version and what waits in the spool */
  describe(): string
  close(): Promise<void>
}

export async function openTimeSeries(
  config: Pick<Config, 'store' | 'dataDir'>,
  ctx: { log: Logger; metrics?: Registry; duckdb: TimeSeriesStore },
): Promise<SelectedTimeSeries> {
  const influx = config.store.influx
  if (config.store.kind !== 'influx' || !influx) {
    // The DuckDB store's own close() (with its records) closes this part.
    return { timeseries: ctx.duckdb, kind: 'duckdb', describe: () => `duckdb in ${config.dataDir}`, close: async () => {} }
  }
  const store = await openInfluxStore({
    url: influx.url,
    token: influx.token,
    org: influx.org,
    bucket: influx.bucket,
    spoolDir: join(config.dataDir, 'influx-spool'),
    spoolMaxBytes: influx.spoolMaxBytes,
    log: ctx.log.child({ part: 'store', store: 'influx' }),
    metrics: ctx.metrics,
  })
  return { timeseries: store.timeseries, kind: 'influx', describe: store.describe, close: store.close }
}
