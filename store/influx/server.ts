// Talking to one InfluxDB server: which version it is (from /ping), how to authenticate,
// where to write, and InfluxQL queries over /query — the one read path InfluxDB 1.x, 2.x (v1
// compatibility, 2.4+ maps a bucket to a database by itself) and 3.x all serve.
import { errors } from '../../core/errors.ts'

export interface InfluxTarget {
  /** base URL, e.g. http://influxdb:8086 */
  url: string
  /** 2.x/3.x: an API token; 1.x with authentication on: `user:password` */
  token?: string
  /** 2.x: the organisation of the bucket (v2 write API) */
  org?: string
  /** 2.x/3.x bucket, or 1.x database; `db/rp` names a 1.x retention policy */
  bucket: string
}

export interface ServerInfo {
  /** as the server reports it, e.g. `1.6.7~rc0`, `v2.7.11`, `3.0.1` */
  version: string
  major: number
}

const PING_TIMEOUT_MS = 3000

/** `X-Influxdb-Version` of GET /ping; a server without it is taken as 2.x (v2 write API). */
export async function ping(t: InfluxTarget, timeoutMs = PING_TIMEOUT_MS): Promise<ServerInfo> {
  const get = (headers: Record<string, string>) => fetch(`${base(t)}/ping`, { headers, signal: AbortSignal.timeout(timeoutMs) })
  let res = await get({})
  // 1.x and 2.x answer /ping to anyone; 3.x may want the token (1.x credentials never have to go here).
  if ((res.status === 401 || res.status === 403) && t.token) {
    await res.arrayBuffer()
    res = await get({ authorization: `Token ${t.token}` })
  }
  await res.arrayBuffer()
  if (res.status >= 300) throw new Error(`InfluxDB /ping answered ${res.status}`)
  const version = res.headers.get('x-influxdb-version') ?? ''
  const major = Number(/^v?(\d+)/.exec(version)?.[1] ?? 2)
  return { version: version || 'unknown', major }
}

const base = (t: InfluxTarget) => t.url.replace(/\/+$/, '')

/** The database and retention policy a 1.x server (or the v1 API of 2.x/3.x) knows the bucket by. */
export function dbrp(t: InfluxTarget): { db: string; rp?: string } {
  const i = t.bucket.indexOf('/')
  return i < 0 ? { db: t.bucket } : { db: t.bucket.slice(0, i), rp: t.bucket.slice(i + 1) || undefined }
}

/** 1.x takes `user:password` as HTTP Basic; 2.x and 3.x take `Authorization: Token …`. */
export function authHeader(t: InfluxTarget, info: ServerInfo): Record<string, string> {
  if (!t.token) return {}
  if (info.major === 1) return { authorization: `Basic ${Buffer.from(t.token).toString('base64')}` }
  return { authorization: `Token ${t.token}` }
}

/** The WriteApi's path: 1.x has only `/write?db=` (no /api/v2/write before 1.8); ms precision. */
export function writePath(t: InfluxTarget, info: ServerInfo): string | undefined {
  if (info.major !== 1) return undefined // the client's own /api/v2/write?org=&bucket=&precision=ms
  const { db, rp } = dbrp(t)
  return `/write?db=${encodeURIComponent(db)}${rp ? `&rp=${encodeURIComponent(rp)}` : ''}&precision=ms`
}

/** One InfluxQL result series: its tags (with GROUP BY tags), columns and rows. */
export interface Series {
  tags?: Record<string, string>
  columns: string[]
  values: unknown[][]
}

/** Runs one InfluxQL statement; times come back as epoch ms. A read or DDL, never a write. */
export async function influxQL(t: InfluxTarget, info: ServerInfo, q: string, opts: { method?: 'GET' | 'POST'; timeoutMs?: number } = {}): Promise<Series[]> {
  const { db, rp } = dbrp(t)
  const params = new URLSearchParams({ db, q, epoch: 'ms' })
  if (rp) params.set('rp', rp)
  const method = opts.method ?? 'GET'
  let res: Response
  try {
    res = await fetch(`${base(t)}/query${method === 'GET' ? `?${params}` : ''}`, {
      method,
      headers: { ...authHeader(t, info), ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: method === 'POST' ? params : undefined,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    })
  } catch (err) {
    throw errors.unavailable(`InfluxDB cannot be reached: ${(err as Error).message}`)
  }
  const text = await res.text()
  let body: { error?: string; results?: Array<{ error?: string; partial?: boolean; series?: Array<Series & { partial?: boolean }> }> }
  try {
    body = JSON.parse(text)
  } catch {
    throw errors.unavailable(`InfluxDB answered ${res.status}: ${text.slice(0, 200)}`)
  }
  const error = body.error ?? body.results?.[0]?.error
  if (error || res.status >= 300) throw errors.unavailable(`InfluxDB refused a query (${res.status}): ${error ?? text.slice(0, 200)}`)
  const result = body.results?.[0]
  // A server with [http] max-row-limit (or 2.x/3.x limits) cuts results short: an answer
  // with points missing would be wrong without saying so (a summary, a what-if replay).
  if (result?.partial || result?.series?.some((x) => x.partial)) throw errors.unavailable('InfluxDB returned a partial result: raise its max-row-limit (InfluxDB 1.x [http] section) or ask for a shorter range')
  return result?.series ?? []
}

/** An InfluxQL string literal: single quotes, with backslashes and quotes escaped. */
export const str = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
/** An InfluxQL identifier. */
export const ident = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
