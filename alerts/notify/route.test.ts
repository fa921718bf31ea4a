import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { EscalationTracker } from '../routing/escalation.ts'
import { verifyAckToken } from './ack-token.ts'
import { parseChannels } from './config.ts'
import { createDispatcher, type Delivery } from './dispatcher.ts'
import { escalationNotifier } from './route.ts'
import { change, dingtalkRobot } from './testing.ts'

const closers: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

describe('escalation → DingTalk, with a signed acknowledge link per person', () => {
  it('the foreman of the crew now on shift gets a Chinese message whose link acknowledges this alarm as them', async () => {
    const { people, plant } = loadConfig({})
    const robot = await dingtalkRobot('SECrobot-0123456789')
    closers.push(robot.close)
    const channels = parseChannels({}, { DINGTALK_WEBHOOK: robot.webhook, DINGTALK_SECRET: 'SECrobot-0123456789' }, { people }).config!
    const deliveries: Delivery[] = []
    const dispatcher = createDispatcher({ channels, onDelivery: (d) => deliveries.push(d) })
    closers.push(() => dispatcher.close())
    const ackSecret = 'ack-secret-0123456789abcdef'
    const raised = Date.parse('2025-01-06T07:55:00Z') // 15:55, crew A on the day shift
    let now = raised
    const notify = escalationNotifier({ dispatcher, publicUrl: 'http://mill.test:3000/', ackSecret, ackTtlMs: channels.ackTokenTtlMs, timezone: plant.timezone, now: () => now, describe: () => ({ description: '检查轧辊轴承', unit: 'mm/s' }) })
    const tracker = new EscalationTracker({ people, timezone: plant.timezone, escalation: channels.escalation })
    tracker.observe(change(1, { at: raised, area: 'stands', priority: 'high' }))
    tracker.due(now).forEach(notify)
    now = raised + 10 * 60_000 // foreman after 10 min (the default) — now 16:05, crew B
    tracker.due(now).forEach(notify)
    await dispatcher.idle()
    expect(deliveries.map((d) => [d.personId, d.ok])).toEqual([['liu.yang', true], ['sun.hao', true]])
    const text = robot.requests[1].body.markdown!.text
    expect(text).toContain('已升级至值班班长：10 分钟未确认')
    expect(robot.requests[1].body.at!.atMobiles).toEqual(['13800000007'])
    const link = /\((http:\/\/mill\.test:3000\/inbox\/ack\?token=[^)]+)\)/.exec(text)![1]
    const token = new URL(link).searchParams.get('token')!
    expect(verifyAckToken(ackSecret, token, 'alarm-1', now)).toMatchObject({ alarmId: 'alarm-1', personId: 'sun.hao' })
    expect(verifyAckToken(ackSecret, token, 'alarm-2', now)).toEqual({ error: 'other alarm' })
  })
})
