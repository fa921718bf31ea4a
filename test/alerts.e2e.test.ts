// Alarms end to end: the real entry point, a device publishing a bearing going bad, the alarm
// on the HTTP API and on the topic tree, acknowledged over HTTP, stored across a restart.
import mqtt from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import { Credentials } from '../core/credentials.ts'
import { spawnMillwatch, tempDir, type RunningMillwatch } from './helpers/millwatch.ts'

const running: RunningMillwatch[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop('SIGKILL')))
})

describe('alarms end to end', () => {
  it('raises a zone-D vibration alarm on the right stand, publishes it, and takes an acknowledgement', { timeout: 90_000 }, async () => {
    const data = tempDir()
    const creds = new Credentials(data)
    const worker = creds.createToken('floor-tablet', ['worker'], 'test').token
    const admin = creds.createToken('admin', ['admin'], 'test').token
    let m = await spawnMillwatch({ DATA_DIR: data })
    running.push(m)
    const headers = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' })

    const watcher = await mqtt.connectAsync(m.mqtt)
    const published: { topic: string; body: any }[] = []
    watcher.on('message', (topic, payload) => published.push({ topic, body: JSON.parse(String(payload)) }))
    await watcher.subscribeAsync('plant/+/+/alarm', { qos: 1 })

    // A bearing going bad on stand 3: vibration from zone B into zone D over 20 s of readings.
    const device = await mqtt.connectAsync(m.mqtt)
    const t0 = Date.now() - 30_000
    for (let i = 0; i <= 200; i++)
      await device.publishAsync('plant/tcm1/stand3/telemetry', JSON.stringify({ ts: t0 + i * 100, values: { vibration_mm_s: 2 + (6.5 * i) / 200 } }), { qos: 1 })
    await device.endAsync()

    const alarm = await expect
      .poll(async () => {
        const r = await (await fetch(`${m.http}/api/alerts?active=true`, { headers: headers(worker) })).json()
        return r.alerts.find((a: any) => a.rule === 'vibration_zone_d')
      }, { timeout: 20_000 })
      .toBeDefined()
      .then(async () => (await (await fetch(`${m.http}/api/alerts?active=true`, { headers: headers(worker) })).json()).alerts.find((a: any) => a.rule === 'vibration_zone_d'))
    expect(alarm).toMatchObject({ line: 'tcm1', equipment: 'stand3', sensor: 'vibration_mm_s', priority: 'high', state: 'unacknowledged', active: true, acknowledged: false, area: 'stands' })
    expect(alarm.value).toBeGreaterThan(7.1)
    expect(alarm.description).toMatch(/zone D/)
    // No other stand alarms.
    const all = (await (await fetch(`${m.http}/api/alerts`, { headers: headers(worker) })).json()).alerts
    expect(all.every((a: any) => a.equipment === 'stand3')).toBe(true)

    await expect.poll(() => published.some((p) => p.topic === 'plant/tcm1/stand3/alarm' && p.body.rule === 'vibration_zone_d')).toBe(true)

    const acked = await fetch(`${m.http}/api/alerts/${encodeURIComponent(alarm.id)}/ack`, { method: 'POST', headers: headers(worker), body: '{}' })
    expect(acked.status).toBe(200)
    expect(await acked.json()).toMatchObject({ state: 'acknowledged', acknowledged: true, ackedBy: 'token:floor-tablet' })
    // Workers may not shelve.
    const shelve = await fetch(`${m.http}/api/alerts/${encodeURIComponent(alarm.id)}/shelve`, { method: 'POST', headers: headers(worker), body: JSON.stringify({ minutes: 30, reason: 'roll change' }) })
    expect(shelve.status).toBe(403)

    const detail = await (await fetch(`${m.http}/api/alerts/${encodeURIComponent(alarm.id)}`, { headers: headers(worker) })).json()
    expect(detail.transitions.map((t: any) => [t.action, t.to, t.by])).toEqual([
      ['ack', 'acknowledged', 'token:floor-tablet'],
      ['activate', 'unacknowledged', undefined],
    ])
    const auditLog = await (await fetch(`${m.http}/api/audit?action=alarm.ack`, { headers: headers(admin) })).json()
    expect(auditLog.entries[0]).toMatchObject({ actor: 'token:floor-tablet', action: 'alarm.ack', target: alarm.id })
    const kpi = await (await fetch(`${m.http}/api/alerts/kpi`, { headers: headers(worker) })).json()
    expect(JSON.stringify(kpi)).toMatch(/vibration_zone_d/)
    await watcher.endAsync()

    // Restart: the alarm is still there, still acknowledged.
    expect(await m.stop('SIGTERM')).toBe(0)
    m = await spawnMillwatch({ DATA_DIR: data })
    running.push(m)
    const after = (await (await fetch(`${m.http}/api/alerts`, { headers: headers(worker) })).json()).alerts
    expect(after.find((a: any) => a.id === alarm.id)).toMatchObject({ state: 'acknowledged', acknowledged: true })
  })
})
