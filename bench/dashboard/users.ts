// Concurrent dashboard users: each holds the live stream open (as the live page does) and,
// in rounds, loads what a manager's screens load — the overview, a 30-day sensor trend and
// the sensor explorer zoomed to recent hours — over its own keep-alive connections, as a
// browser would. Counts every non-2xx answer and every failure below HTTP.
import { Agent } from 'node:http'
import { openSse, type SseStream } from '../lib/sse.ts'
import { timedGet } from './http.ts'

export interface UserLoad {
  /** round trips per request kind, ms */
  latency: Record<string, number[]>
  /** server time (Server-Timing) per request kind, where sent */
  server: Record<string, number[]>
  requests: number
  non2xx: number
  failures: number
  examples: string[]
  streamsOpen: number
  /** users whose stream delivered at least one frame */
  streamsWithFrames: number
}

const SENSORS = [['stand1', 'vibration_mm_s'], ['stand3', 'vibration_mm_s'], ['stand2', 'roll_force_kN'], ['exit', 'thickness_dev_um'], ['stand5', 'bearing_temp_C'], ['uncoiler', 'speed_mps']] as const

export async function dashboardUsers(o: { http: string; line: string; headers: Record<string, string>; users: number; rounds: number; now: number; trendFrom: number }): Promise<UserLoad> {
  const r: UserLoad = { latency: {}, server: {}, requests: 0, non2xx: 0, failures: 0, examples: [], streamsOpen: 0, streamsWithFrames: 0 }
  const note = (kind: string, res: Awaited<ReturnType<typeof timedGet>>) => {
    r.requests++
    ;(r.latency[kind] ??= []).push(res.ms)
    if (res.serverMs !== undefined) (r.server[kind] ??= []).push(res.serverMs)
    if (res.error) r.failures++
    else if (res.status < 200 || res.status > 299) r.non2xx++
    if ((res.error || res.status > 299) && r.examples.length < 5) r.examples.push(`${kind}: ${res.error ?? `${res.status} ${res.body.slice(0, 160)}`}`)
  }
  const streams: SseStream[] = []
  const user = async (u: number) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 6 }) // a browser's connections per host
    const stream = openSse(`${o.http}/api/live/stream?line=${o.line}`, o.headers, () => undefined)
    streams.push(stream)
    const status = await stream.opened.catch(() => 0)
    if (status === 200) r.streamsOpen++
    else (r.failures++, r.examples.length < 5 && r.examples.push(`live stream: ${status}`))
    const [equipment, sensor] = SENSORS[u % SENSORS.length]
    const series = (from: number, step: string) =>
      `${o.http}/api/series?line=${o.line}&equipment=${equipment}&sensor=${sensor}&from=${from}&to=${o.now}&step=${step}`
    for (let round = 0; round < o.rounds; round++) {
      // A page loads its pieces in parallel, as the browser does.
      const [overview, trend, explorer] = await Promise.all([
        timedGet(`${o.http}/api/kpi/overview?line=${o.line}`, o.headers, agent),
        timedGet(series(o.trendFrom, '30m'), o.headers, agent),
        timedGet(series(o.now - 6 * 3_600_000, '10s'), o.headers, agent),
      ])
      note('overview 24 h', overview)
      note('trend 30 d', trend)
      note('explorer 6 h', explorer)
    }
    agent.destroy()
  }
  await Promise.all(Array.from({ length: o.users }, (_, u) => user(u)))
  // Every page has been loaded while every stream stayed open; the live page saw frames?
  await new Promise((res) => setTimeout(res, 1500))
  r.streamsWithFrames = streams.filter((s) => s.frames > 0).length
  for (const s of streams) s.close()
  return r
}
