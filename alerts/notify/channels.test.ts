import { createHmac } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterEach, describe, expect, it } from 'vitest'
import { parseChannels } from './config.ts'
import { createDispatcher, type Delivery } from './dispatcher.ts'
import { ChannelQueue, realClock } from './queue.ts'
import { change, dingtalkRobot, hangingServer, listen, person } from './testing.ts'
import { SIGNATURE_HEADER } from './webhook.ts'

const closers: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

interface Mail { from: string; to: string[]; raw: string }
async function smtpServer() {
  const mails: Mail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') })
        cb()
      })
    },
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.server.address() as AddressInfo
  closers.push(() => new Promise<void>((r) => server.close(() => r())))
  return { url: `smtp://127.0.0.1:${port}`, mails }
}

/** Enough MIME for a test: the decoded subject and the decoded text of every part. */
function decodeMail(raw: string): { subject: string; body: string } {
  const unfold = raw.replace(/\r\n[ \t]+/g, ' ')
  const subjectLine = /^Subject: (.*)$/m.exec(unfold)?.[1] ?? ''
  const subject = subjectLine.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : qp(text.replace(/_/g, ' ')),
  )
  const parts = raw.split(/\r\n--[^\r\n]+\r\n/).map((p) => {
    const [head, ...rest] = p.split('\r\n\r\n')
    const content = rest.join('\r\n\r\n')
    if (/Content-Transfer-Encoding: quoted-printable/i.test(head)) return qp(content)
    if (/Content-Transfer-Encoding: base64/i.test(head)) return Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8')
    return content
  })
  return { subject, body: parts.join('\n') }
}
const qp = (s: string) => {
  const bytes: number[] = []
  const t = s.replace(/=\r?\n/g, '')
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '=' && /^[0-9A-F]{2}$/i.test(t.slice(i + 1, i + 3))) {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16))
      i += 2
    } else bytes.push(...Buffer.from(t[i], 'utf8'))
  }
  return Buffer.from(bytes).toString('utf8')
}

const liu = person('liu.yang', { name: '刘洋 Liu Yang', language: 'zh-CN', email: 'liu.yang@mill.test' })
const tom = person('tom.baker', { name: 'Tom Baker', language: 'en', email: 'tom.baker@mill.test' })
const noMail = person('zhao.lei', { language: 'zh-CN' })
const info = { description: 'Check the roll bearings.', unit: 'mm/s', ackUrl: (p: string) => `http://mill.test/inbox/ack?token=tok-${p}` }

describe('e-mail over SMTP', () => {
  it('sends each person a message in their language, to their address only', async () => {
    const smtp = await smtpServer()
    const deliveries: Delivery[] = []
    const d = createDispatcher({ channels: { timeoutMs: 5000, queueLimit: 100, email: { url: smtp.url, from: 'millwatch@mill.test', maxAttempts: 1 } }, onDelivery: (x) => deliveries.push(x) })
    closers.push(() => d.close())
    d.notify([liu, tom, noMail], change(1), info)
    await d.idle()
    expect(smtp.mails).toHaveLength(2)
    const byTo = Object.fromEntries(smtp.mails.map((m) => [m.to[0], { ...m, ...decodeMail(m.raw) }]))
    expect(byTo['liu.yang@mill.test'].from).toBe('millwatch@mill.test')
    expect(byTo['liu.yang@mill.test'].subject).toBe('[高] stand3 vibration_mm_s — 报警')
    expect(byTo['liu.yang@mill.test'].body).toContain('检查要点: Check the roll bearings.')
    expect(byTo['liu.yang@mill.test'].body).toContain('tok-liu.yang')
    expect(byTo['tom.baker@mill.test'].subject).toBe('[HIGH] stand3 vibration_mm_s — Alarm')
    expect(byTo['tom.baker@mill.test'].body).toContain('Value: 7.8 mm/s')
    expect(byTo['tom.baker@mill.test'].body).not.toContain('数值')
    expect(deliveries.map((x) => [x.personId, x.channel, x.ok]).sort()).toEqual([['liu.yang', 'email', true], ['tom.baker', 'email', true]])
  })
})

describe('generic webhook', () => {
  it('posts the alarm change as JSON with an HMAC-SHA256 signature of the body', async () => {
    const got: { sig: string; body: string }[] = []
    const hook = await listen((req, res, body) => {
      got.push({ sig: String(req.headers[SIGNATURE_HEADER]), body })
      res.end('ok')
    })
    closers.push(hook.close)
    const d = createDispatcher({ channels: { timeoutMs: 5000, queueLimit: 100, webhook: { url: `${hook.url}/hook`, secret: 'hook-secret', maxAttempts: 1 } } })
    closers.push(() => d.close())
    d.notify([tom], change(7), info)
    await d.idle()
    expect(got).toHaveLength(1)
    expect(got[0].sig).toBe(`sha256=${createHmac('sha256', 'hook-secret').update(got[0].body).digest('hex')}`)
    expect(got[0].sig).not.toBe(`sha256=${createHmac('sha256', 'other').update(got[0].body).digest('hex')}`)
    const j = JSON.parse(got[0].body)
    expect(j).toMatchObject({ type: 'millwatch.alarm', recipient: { id: 'tom.baker' }, transition: { alarmId: 'alarm-7', action: 'activate', to: 'unacknowledged' }, alarm: { id: 'alarm-7', value: 7.8 }, links: { ack: 'http://mill.test/inbox/ack?token=tok-tom.baker' } })
  })
})

describe('a channel that hangs', () => {
  it('never delays another channel, nor the caller; it times out and is recorded', async () => {
    const hang = await hangingServer()
    closers.push(hang.close)
    const robot = await dingtalkRobot('robot-secret-0123456789')
    closers.push(robot.close)
    const deliveries: (Delivery & { seen: number })[] = []
    const t0 = Date.now()
    const d = createDispatcher({
      channels: { timeoutMs: 1500, queueLimit: 100, webhook: { url: hang.url, maxAttempts: 1 }, dingtalk: { webhook: robot.webhook, secret: 'robot-secret-0123456789', message: 'markdown', maxPerMinute: 20, maxAttempts: 1 } },
      onDelivery: (x) => deliveries.push({ ...x, seen: Date.now() - t0 }),
    })
    closers.push(() => d.close())
    const t1 = performance.now()
    for (let i = 0; i < 3; i++) d.notify([tom], change(i), info)
    expect(performance.now() - t1).toBeLessThan(250) // notify only queues: far below the 1.5 s the hanging receiver costs
    await d.idle()
    const ding = deliveries.filter((x) => x.channel === 'dingtalk')
    const hook = deliveries.filter((x) => x.channel === 'webhook')
    expect(ding.every((x) => x.ok && x.seen < 1000)).toBe(true)
    expect(new Set(ding.map((x) => x.alarmId)).size).toBe(3)
    expect(hook.length).toBe(3)
    expect(hook.every((x) => !x.ok && x.error === 'network: timeout' && x.seen >= 1400)).toBe(true)
  })

  it('sends a critical alarm before the burst of lower ones waiting ahead of it', async () => {
    const order: string[] = []
    const q = new ChannelQueue({
      channel: 'webhook', clock: realClock, limit: 100, maxAttempts: 1, concurrency: 1, report: () => {},
      send: async (items) => {
        order.push(items[0].change.alarm.id)
        await new Promise((r) => setTimeout(r, 5))
        return { ok: true }
      },
    })
    for (let i = 0; i < 8; i++) q.push({ person: tom, change: change(i, { priority: i % 2 ? 'low' : 'medium' }), info })
    q.push({ person: tom, change: change(99, { priority: 'critical' }), info })
    await q.idle()
    // alarm-0 was already on its way; the critical one goes next, then medium before low, each in arrival order
    expect(order).toEqual(['alarm-0', 'alarm-99', 'alarm-2', 'alarm-4', 'alarm-6', 'alarm-1', 'alarm-3', 'alarm-5', 'alarm-7'])
  })

  it('a full queue drops the oldest of the lowest priority, never a critical alarm for a low one', async () => {
    const hang = await hangingServer()
    closers.push(hang.close)
    const deliveries: Delivery[] = []
    const d = createDispatcher({ channels: { timeoutMs: 300, queueLimit: 2, webhook: { url: hang.url, maxAttempts: 1 } }, onDelivery: (x) => deliveries.push(x) })
    closers.push(() => d.close())
    for (let i = 0; i < 4; i++) d.notify([tom], change(i, { priority: 'high' }), info) // 4 in flight
    d.notify([tom], change(4, { priority: 'low' }), info)
    d.notify([tom], change(5, { priority: 'low' }), info)
    d.notify([tom], change(6, { priority: 'critical' }), info) // drops alarm-4
    d.notify([tom], change(7, { priority: 'low' }), info) // drops alarm-5, the oldest low one
    expect(deliveries.filter((x) => x.error === 'queue full: dropped').map((x) => x.alarmId)).toEqual(['alarm-4', 'alarm-5'])
    await d.idle()
    expect(deliveries.filter((x) => x.attempt === 1).map((x) => x.alarmId).slice(4)).toEqual(['alarm-6', 'alarm-7'])
  })

  it('a full queue drops the oldest waiting notification and says so', async () => {
    const hang = await hangingServer()
    closers.push(hang.close)
    const deliveries: Delivery[] = []
    const d = createDispatcher({ channels: { timeoutMs: 300, queueLimit: 2, webhook: { url: hang.url, maxAttempts: 1 } }, onDelivery: (x) => deliveries.push(x) })
    closers.push(() => d.close())
    for (let i = 0; i < 10; i++) d.notify([tom], change(i), info) // 4 in flight, 2 waiting
    expect(deliveries.filter((x) => x.error === 'queue full: dropped').map((x) => x.alarmId)).toEqual(['alarm-4', 'alarm-5', 'alarm-6', 'alarm-7'])
    await d.idle()
    expect(deliveries).toHaveLength(10)
  })
})

describe('channels.yaml', () => {
  it('takes addresses and secrets from the environment; a channel without an address is off', () => {
    const r = parseChannels({ escalation: { priorities: { critical: { foremanAfter: '2m' } } } }, { DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=x', DINGTALK_SECRET: 'SECx' })
    expect(r.problems).toEqual([])
    expect(r.config!.dingtalk).toMatchObject({ webhook: 'https://oapi.dingtalk.com/robot/send?access_token=x', secret: 'SECx', maxPerMinute: 20 })
    expect(r.config!.email).toBeUndefined()
    expect(r.config!.escalation).toMatchObject({ foremanAfterMs: 600_000, managerAfterMs: 1_800_000, priorities: { critical: { foremanAfterMs: 120_000 } } })
  })

  it('reports every problem at once, saying where', () => {
    const r = parseChannels({ timeout: 'soon', channels: { email: { url: 'http://x' }, dingtalk: { maxPerMinute: 50 } } }, {})
    expect(r.config).toBeUndefined()
    expect(r.problems.join('\n')).toMatch(/timeout/)
    expect(r.problems.join('\n')).toMatch(/channels\.dingtalk\.maxPerMinute/)
  })
})

describe('config/channels.yaml', () => {
  it('loads with the plant people, every channel off without environment', async () => {
    const { loadConfig } = await import('../../core/config.ts')
    const { loadChannels } = await import('./config.ts')
    const cfg = loadConfig({})
    const c = loadChannels(cfg.configDir, {}, cfg.people)
    expect(c.dingtalk ?? c.wecom ?? c.email ?? c.webhook).toBeUndefined()
    expect(c.escalation.priorities.critical).toEqual({ foremanAfterMs: 120_000, managerAfterMs: 600_000 })
    const on = loadChannels(cfg.configDir, { SMTP_URL: 'smtp://127.0.0.1:2525', SMTP_FROM: 'millwatch@example.com', WEBHOOK_URL: 'http://127.0.0.1:9/x' }, cfg.people)
    expect(on.email).toMatchObject({ url: 'smtp://127.0.0.1:2525', from: 'millwatch@example.com' })
    expect(on.webhook).toMatchObject({ url: 'http://127.0.0.1:9/x' })
    expect(() => loadChannels(cfg.configDir, { SMTP_URL: 'smtp://127.0.0.1:2525' }, cfg.people)).toThrow(/SMTP_FROM/)
  })
})

describe('WeCom group robot', () => {
  it('posts markdown in the reader language; 45009 (throttled) is retried', async () => {
    const bodies: { msgtype: string; markdown: { content: string } }[] = []
    let throttle = 1
    const robot = await listen((req, res, body) => {
      bodies.push(JSON.parse(body))
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(throttle-- > 0 ? { errcode: 45009, errmsg: 'api freq out of limit' } : { errcode: 0, errmsg: 'ok' }))
    })
    closers.push(robot.close)
    const deliveries: Delivery[] = []
    let t = Date.now()
    const d = createDispatcher({
      channels: { timeoutMs: 5000, queueLimit: 100, wecom: { webhook: `${robot.url}/cgi-bin/webhook/send?key=k`, maxPerMinute: 20, maxAttempts: 3 } },
      now: () => t,
      sleep: async (ms) => void (t += ms),
      onDelivery: (x) => deliveries.push(x),
    })
    closers.push(() => d.close())
    d.notify([liu], change(3), info)
    await d.idle()
    expect(bodies).toHaveLength(2)
    expect(bodies[1].msgtype).toBe('markdown')
    expect(bodies[1].markdown.content).toContain('[高] stand3 vibration_mm_s — 报警')
    expect(bodies[1].markdown.content).toContain('[确认 · 刘洋 Liu Yang](http://mill.test/inbox/ack?token=tok-liu.yang)')
    expect(deliveries.map((x) => [x.channel, x.attempt, x.ok])).toEqual([['wecom', 1, false], ['wecom', 2, true]])
  })
})

describe('an SMTP server that is down', () => {
  it('is retried and every failed attempt recorded', async () => {
    const smtp = await smtpServer()
    const port = new URL(smtp.url).port
    for (const c of closers.splice(0)) await c() // the server is gone
    const deliveries: Delivery[] = []
    const d = createDispatcher({ channels: { timeoutMs: 2000, queueLimit: 100, email: { url: `smtp://127.0.0.1:${port}`, from: 'millwatch@mill.test', maxAttempts: 2 } }, backoffMs: 10, onDelivery: (x) => deliveries.push(x) })
    closers.push(() => d.close())
    d.notify([tom], change(1), info)
    await d.idle()
    expect(deliveries.map((x) => [x.attempt, x.ok])).toEqual([[1, false], [2, false]])
    expect(deliveries[0].error).toMatch(/smtp/)
  })
})
