// Test fixtures for notifiers: people, alarm changes, and real local receivers on
// 127.0.0.1 port 0 — a DingTalk robot that checks signatures as DingTalk documents them.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Person } from '../../core/people.ts'
import type { AlarmChange } from '../engine.ts'
import type { Priority } from '../rules/types.ts'

export function person(id: string, over: Partial<Person> = {}): Person {
  return { id, name: id, roles: ['worker'], areas: [], language: 'en', demo: false, ...over }
}

export function change(n: number, over: { equipment?: string; priority?: Priority; at?: number; area?: string } = {}): AlarmChange {
  const at = over.at ?? Date.parse('2025-01-06T02:00:00Z') + n
  const point = { key: `tcm1/${over.equipment ?? 'stand3'}/vibration_mm_s/vibration_zone_d`, line: 'tcm1', equipment: over.equipment ?? 'stand3', sensor: 'vibration_mm_s', rule: 'vibration_zone_d', priority: over.priority ?? ('high' as const), area: over.area ?? 'stands' }
  const id = `alarm-${n}`
  return {
    alarm: { ...point, id, state: 'unacknowledged', active: true, acknowledged: false, raisedAt: at, activeSince: at, value: 7.8, limit: 7.1, peak: 7.8, activations: 1, updatedAt: at },
    transition: { ...point, alarmId: id, action: 'activate', from: 'normal', to: 'unacknowledged', at, value: 7.8, limit: 7.1 },
  }
}

export async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

export interface RobotRequest {
  readonly timestamp: number
  readonly body: { msgtype: string; markdown?: { title: string; text: string }; actionCard?: { title: string; text: string; btns: { title: string; actionURL: string }[] }; at?: { atMobiles: string[]; atUserIds?: string[]; isAtAll?: boolean } }
  readonly errcode: number
}

/**
 * A DingTalk custom robot: verifies `timestamp` and `sign` as DingTalk documents them
 * (recompute HmacSHA256(secret, timestamp + "\n" + secret), base64, compare; a timestamp more
 * than an hour from the robot's clock is refused), enforces 20 messages per minute by the
 * signed timestamps, and answers 130101 on demand (`throttleNext`).
 */
export async function dingtalkRobot(secret: string, opts: { now?: () => number; perMinute?: number } = {}) {
  const now = opts.now ?? Date.now
  const requests: RobotRequest[] = []
  const accepted: number[] = []
  const state = { throttleNext: 0 }
  const srv = await listen((req, res, raw) => {
    const u = new URL(req.url ?? '/', 'http://robot')
    const ts = Number(u.searchParams.get('timestamp'))
    const sign = u.searchParams.get('sign') ?? '' // URLSearchParams has url-decoded it
    const expected = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64')
    let errcode = 0
    if (!u.searchParams.has('timestamp') || Math.abs(now() - ts) > 3_600_000) errcode = 310000 // "invalid timestamp"
    else if (sign.length !== expected.length || !timingSafeEqual(Buffer.from(sign), Buffer.from(expected))) errcode = 310000 // "sign not match"
    else if (state.throttleNext > 0) {
      state.throttleNext--
      errcode = 130101
    } else if (accepted.filter((t) => t > ts - 60_000).length >= (opts.perMinute ?? 20)) errcode = 130101
    if (errcode === 0) accepted.push(ts)
    requests.push({ timestamp: ts, body: JSON.parse(raw), errcode })
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ errcode, errmsg: errcode ? 'refused' : 'ok' }))
  })
  return { ...srv, webhook: `${srv.url}/robot/send?access_token=test`, requests, state }
}

/** Accepts connections and requests, never answers. */
export const hangingServer = () => listen(() => {})
