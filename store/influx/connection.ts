// The connection to InfluxDB, made when first needed and again after a failure: /ping tells
// the version, which decides the write path and the authentication; then a WriteApi of
// @influxdata/influxdb-client (gzip above 1 kB) that sends exactly the batches it is given.
// Its own batching and in-memory retry buffer are off: the retry buffer holds points only in
// memory, drops them after `maxRetryTime`, and rejects the flush before it retries — so the
// writer's spool does the retrying, from disk (see writer.ts).
import { InfluxDB, type WriteApi } from '@influxdata/influxdb-client'
import type { Logger } from 'pino'
import { authHeader, dbrp, ident, influxQL, ping, writePath, type InfluxTarget, type ServerInfo } from './server.ts'

export interface Connected {
  info: ServerInfo
  api: WriteApi
}

export class Connection {
  private current: Connected | undefined
  private connecting: Promise<Connected> | undefined

  constructor(private readonly target: InfluxTarget, private readonly log: Logger, private readonly timeoutMs: number) {}

  get info(): ServerInfo | undefined {
    return this.current?.info
  }

  /** The server's version and a WriteApi for it; retried on the next call after a failure. */
  get(): Promise<Connected> {
    if (this.current) return Promise.resolve(this.current)
    return (this.connecting ??= this.connect().finally(() => (this.connecting = undefined)))
  }

  private async connect(): Promise<Connected> {
    const t = this.target
    const info = await ping(t)
    if (info.major >= 2 && info.major < 3 && !t.org) throw new Error(`InfluxDB ${info.version} needs the organisation of bucket ${t.bucket} (INFLUX_ORG)`)
    if (info.major === 1) {
      // CREATE DATABASE is idempotent on 1.x; without the privilege an admin creates it.
      await influxQL(t, info, `CREATE DATABASE ${ident(dbrp(t).db)}`, { method: 'POST' }).catch((err: Error) =>
        this.log.warn({ err: err.message }, `could not create InfluxDB database ${dbrp(t).db}; writes wait in the spool until it exists`),
      )
    }
    const client = new InfluxDB({ url: t.url, timeout: this.timeoutMs, headers: authHeader(t, info) })
    const api = client.getWriteApi(t.org ?? '', t.bucket, 'ms', {
      batchSize: 16, // one record per batch (the writer's whole body): never split by the client
      maxBatchBytes: 1 << 30,
      flushInterval: 0,
      maxRetries: 0,
      gzipThreshold: 1000,
      // Hand every failure to the writer, which spools it (and keeps the client from logging it).
      writeFailed: (err: Error) => Promise.reject(err),
    })
    api.path = writePath(t, info) ?? `/api/v2/write?${t.org ? `org=${encodeURIComponent(t.org)}&` : ''}bucket=${encodeURIComponent(t.bucket)}&precision=ms`
    this.current = { info, api }
    this.log.info({ url: t.url, version: info.version, bucket: t.bucket, path: api.path.split('?')[0] }, 'connected to InfluxDB')
    return this.current
  }

  /** Writes one body of line protocol; resolves on InfluxDB's 204. */
  async send(body: string): Promise<void> {
    const { api } = await this.get()
    api.writeRecord(body)
    await api.flush()
  }

  async close(): Promise<void> {
    await this.current?.api.close().catch(() => {})
  }
}
