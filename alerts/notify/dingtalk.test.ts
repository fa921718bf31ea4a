import { afterEach, describe, expect, it } from 'vitest'
import { createDispatcher, type Delivery } from './dispatcher.ts'
import { change, dingtalkRobot, person } from './testing.ts'

const SECRET = 'SEC0123456789abcdef0123456789abcdef'
const closers: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

function fakeClock(start = Date.now()) {
  const c = { t: start, now: () => c.t, sleep: async (ms: number) => void (c.t += ms) }
  return c
}

async function setup(opts: { secret?: string; clockSkew?: number; message?: 'markdown' | 'actionCard' } = {}) {
  const clock = fakeClock()
  const robot = await dingtalkRobot(SECRET, { now: () => clock.t - (opts.clockSkew ?? 0) })
  closers.push(robot.close)
  const deliveries: Delivery[] = []
  const d = createDispatcher({
    channels: { timeoutMs: 5000, queueLimit: 1000, dingtalk: { webhook: robot.webhook, secret: opts.secret ?? SECRET, message: opts.message ?? 'markdown', maxPerMinute: 20, maxAttempts: 5 } },
    now: clock.now,
    sleep: clock.sleep,
    onDelivery: (x) => deliveries.push(x),
  })
  closers.push(() => d.close())
  return { clock, robot, d, deliveries }
}

const liu = person('liu.yang', { name: '刘洋 Liu Yang', language: 'zh-CN', phone: '+8613800000005' })
const tom = person('tom.baker', { name: 'Tom Baker', language: 'en', dingtalk: { mobile: '13900000013', userId: 'tom01' } })
const info = { description: 'Check the roll bearings.', unit: 'mm/s', ackUrl: (p: string) => `http://mill.test/inbox/ack?token=tok-${p}` }

describe('DingTalk robot', () => {
  it('signs as DingTalk documents: the robot recomputes and accepts; message in the reader language with @mobile and ack link', async () => {
    const { robot, d, deliveries } = await setup()
    d.notify([liu], change(1), info)
    d.notify([tom], change(2), info)
    await d.idle()
    expect(robot.requests.map((r) => r.errcode)).toEqual([0, 0])
    const [zh, en] = robot.requests.map((r) => r.body)
    expect(zh.msgtype).toBe('markdown')
    expect(zh.markdown!.text).toContain('设备: tcm1/stand3')
    expect(zh.markdown!.text).toContain('优先级: 高')
    expect(zh.markdown!.text).toContain('Check the roll bearings.')
    expect(zh.markdown!.text).toContain('@13800000005')
    expect(zh.markdown!.text).toContain('[确认 · 刘洋 Liu Yang](http://mill.test/inbox/ack?token=tok-liu.yang)')
    expect(zh.at!.atMobiles).toEqual(['13800000005'])
    expect(en.markdown!.text).toMatch(/Equipment: tcm1\/stand3[\s\S]*Value: 7\.8 mm\/s[\s\S]*Limit: 7\.1 mm\/s[\s\S]*Priority: HIGH/)
    expect(en.at).toEqual({ atMobiles: ['13900000013'], atUserIds: ['tom01'], isAtAll: false })
    expect(deliveries).toEqual([
      expect.objectContaining({ alarmId: 'alarm-1', personId: 'liu.yang', channel: 'dingtalk', ok: true, attempt: 1 }),
      expect.objectContaining({ alarmId: 'alarm-2', personId: 'tom.baker', channel: 'dingtalk', ok: true, attempt: 1 }),
    ])
  })

  it('actionCard with an Acknowledge button', async () => {
    const { robot, d } = await setup({ message: 'actionCard' })
    d.notify([tom], change(1), info)
    await d.idle()
    expect(robot.requests[0].body.actionCard!.btns).toEqual([{ title: 'Acknowledge', actionURL: 'http://mill.test/inbox/ack?token=tok-tom.baker' }])
  })

  it('a wrong secret or a stale timestamp is refused by the robot, and not retried', async () => {
    const wrong = await setup({ secret: 'not-the-robot-secret-0123456789' })
    wrong.d.notify([tom], change(1), info)
    await wrong.d.idle()
    expect(wrong.robot.requests.map((r) => r.errcode)).toEqual([310000])
    expect(wrong.deliveries).toEqual([expect.objectContaining({ ok: false, attempt: 1, error: expect.stringContaining('310000') })])

    const stale = await setup({ clockSkew: 2 * 3_600_000 })
    stale.d.notify([tom], change(1), info)
    await stale.d.idle()
    expect(stale.robot.requests.map((r) => r.errcode)).toEqual([310000])
  })

  it('retries 130101 (throttled) after minutes, recording every attempt', async () => {
    const { robot, d, deliveries, clock } = await setup()
    robot.state.throttleNext = 2
    const t0 = clock.t
    d.notify([tom], change(1), info)
    await d.idle()
    expect(robot.requests.map((r) => r.errcode)).toEqual([130101, 130101, 0])
    expect(deliveries.map((x) => [x.attempt, x.ok])).toEqual([[1, false], [2, false], [3, true]])
    expect(deliveries[0].error).toContain('130101')
    expect(robot.requests[1].timestamp - t0).toBeGreaterThanOrEqual(60_000) // a throttled robot: 1 min, then 2 min
    expect(robot.requests[2].timestamp - t0).toBeGreaterThanOrEqual(180_000)
  })

  it('a burst of 100 alarms: at most 20 requests in any minute, all alarms reach the robot in digests', async () => {
    const { robot, d, deliveries } = await setup()
    const people = [liu, tom]
    for (let i = 0; i < 100; i++) d.notify([people[i % 2]], change(i, { equipment: `stand${(i % 5) + 1}` }), info)
    await d.idle()
    const ok = robot.requests.filter((r) => r.errcode === 0)
    expect(ok).toHaveLength(robot.requests.length) // the robot never had to refuse
    const ts = ok.map((r) => r.timestamp).sort((a, b) => a - b)
    for (let i = 0; i + 20 < ts.length; i++) expect(ts[i + 20] - ts[i]).toBeGreaterThanOrEqual(60_000)
    expect(ok.length).toBeLessThanOrEqual(20)
    const text = ok.map((r) => r.body.markdown!.text).join('\n')
    // digests name each alarm's equipment and value; every alarm was delivered and recorded
    expect(ok.some((r) => /alarm notifications|条报警通知/.test(r.body.markdown!.title))).toBe(true)
    expect(new Set(deliveries.filter((x) => x.ok).map((x) => x.alarmId)).size).toBe(100)
    for (let i = 0; i < 100; i++) expect(text).toContain(`tok-${people[i % 2].id}`)
  })

  it('alarms dribbling in at 30 a minute for over three minutes: never more than 20 in a minute, none lost', async () => {
    const { robot, d, deliveries, clock } = await setup()
    for (let i = 0; i < 100; i++) {
      clock.t += 2000 // one alarm every 2 s: 30 a minute
      d.notify([tom], change(i), info)
      await new Promise((r) => setImmediate(r))
    }
    await d.idle()
    const ts = robot.requests.filter((r) => r.errcode === 0).map((r) => r.timestamp).sort((a, b) => a - b)
    expect(robot.requests.every((r) => r.errcode === 0)).toBe(true)
    expect(ts.length).toBeLessThan(100) // some were merged
    for (let i = 0; i + 20 < ts.length; i++) expect(ts[i + 20] - ts[i]).toBeGreaterThanOrEqual(60_000)
    expect(new Set(deliveries.filter((x) => x.ok).map((x) => x.alarmId)).size).toBe(100)
  })
})
