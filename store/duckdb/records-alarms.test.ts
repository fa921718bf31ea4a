import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { openDuckDbStore } from './index.ts'
import { openAlarmRecords } from './records-alarms.ts'

const alarm = (key: string, state: string, updatedAt: number) => ({ key, id: `${key}.1`, line: 'tcm1', equipment: 'stand3', state, active: state !== 'normal', updatedAt, priority: 'high' })
const tr = (key: string, action: string, from: string, to: string, at: number, by?: string) => ({ alarmId: `${key}.1`, key, action, from, to, at, ...(by ? { by } : {}) })

it('keeps each alarm point\'s latest state, every transition and every delivery, across a reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mw-alarms-'))
  let store = await openDuckDbStore({ dir, maintenanceIntervalMs: 0 })
  let records = await openAlarmRecords(store.sql)
  const k = 'tcm1/stand3/vibration_mm_s/vibration_zone_d'
  await records.save([{ alarm: alarm(k, 'unacknowledged', 1000), transition: tr(k, 'activate', 'normal', 'unacknowledged', 1000) }])
  await records.save([{ alarm: alarm(k, 'acknowledged', 2000), transition: tr(k, 'ack', 'unacknowledged', 'acknowledged', 2000, 'liu.yang') }])
  await records.addDeliveries([{ alarmId: `${k}.1`, personId: 'liu.yang', channel: 'dingtalk', at: 1100, ok: true, attempt: 1 }])
  await store.close()

  store = await openDuckDbStore({ dir, maintenanceIntervalMs: 0 })
  records = await openAlarmRecords(store.sql)
  try {
    expect(await records.current()).toEqual([alarm(k, 'acknowledged', 2000)])
    expect((await records.transitions({ alarmId: `${k}.1` })).map((t) => [t.action, t.by])).toEqual([['ack', 'liu.yang'], ['activate', undefined]])
    expect(await records.transitions({ from: 1500 })).toHaveLength(1)
    expect(await records.deliveries(`${k}.1`)).toEqual([{ alarmId: `${k}.1`, personId: 'liu.yang', channel: 'dingtalk', at: 1100, ok: true, attempt: 1 }])
  } finally {
    await store.close()
  }
})
