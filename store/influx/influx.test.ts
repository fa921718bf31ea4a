// The InfluxDB store against a real server (Debian's influxdb 1.6.7, started by the test):
// the time-series contract suite, then what is specific to this implementation.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeTimeSeriesContract } from '../contract/timeseries.ts'
import { influxdMissing, startInflux, type InfluxServer } from '../../test/helpers/influx.ts'
import { openInfluxStore, type InfluxStoreOptions } from './index.ts'

const missing = influxdMissing()
if (missing) console.warn(`skipping the InfluxDB store tests: ${missing}`)

const dirs: string[] = []
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'millwatch-influx-'))
  dirs.push(d)
  return d
}
let server: InfluxServer | undefined
const influx = async () => (server ??= await startInflux())
afterAll(async () => {
  await server?.close()
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

export const open = async (o: Partial<InfluxStoreOptions> = {}) => {
  const s = await influx()
  return openInfluxStore({ url: s.url, bucket: s.database, spoolDir: await tempDir(), ...o })
}

describe.skipIf(missing)('InfluxDB store', () => {
  describeTimeSeriesContract('InfluxDB 1.x', async () => {
    const s = await open()
    return { store: s.timeseries, close: () => s.close() }
  })
})
