// One timed GET for bench:dashboard: status, round trip, and the server's own time from a
// `Server-Timing: app;dur=<ms>` header when the route sends one (the KPI routes do).
import { request, type Agent } from 'node:http'

export interface Timed {
  status: number
  /** round trip, ms: request written → last byte read */
  ms: number
  /** Server-Timing app;dur, ms */
  serverMs?: number
  body: string
  /** set when the request failed below HTTP (refused, reset, timed out) */
  error?: string
}

export function timedGet(url: string, headers: Record<string, string>, agent?: Agent, timeoutMs = 60_000): Promise<Timed> {
  const t0 = performance.now()
  return new Promise((resolve) => {
    const req = request(url, { headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => {
        const timing = /app;dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''))?.[1]
        resolve({
          status: res.statusCode ?? 0,
          ms: performance.now() - t0,
          ...(timing !== undefined && { serverMs: Number(timing) }),
          body: Buffer.concat(chunks).toString('utf8'),
        })
      })
      res.on('error', (err) => resolve({ status: 0, ms: performance.now() - t0, body: '', error: err.message }))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)))
    req.on('error', (err) => resolve({ status: 0, ms: performance.now() - t0, body: '', error: err.message }))
    req.end()
  })
}
