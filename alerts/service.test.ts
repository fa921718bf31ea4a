// The alerts shell: rules reloaded from a changed file without a restart, an invalid file
// rejected while the running rules stay in force, changes stored and published in order.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, expect, it } from 'vitest'
import { loadConfig } from '../core/config.ts'
import { createRegistry } from '../core/metrics.ts'
import { openDuckDbStore, type DuckDbStore } from '../store/duckdb/index.ts'
import { openAlarmRecords } from '../store/duckdb/records-alarms.ts'
import { startAlerts, type Alerts } from './service.ts'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'mw-alerts-conf-'))
  for (const f of ['plant.yaml', 'people.yaml', 'rules.yaml', 'millwatch.yaml']) copyFileSync(join('config', f), join(dir, f))
  const config = loadConfig({ CONFIG_DIR: dir })
  const store: DuckDbStore = await openDuckDbStore({ dir: mkdtempSync(join(tmpdir(), 'mw-alerts-')), maintenanceIntervalMs: 0 })
  cleanup.push(() => store.close())
  const published: string[] = []
  let t = Date.parse('2025-11-24T10:00:00Z')
  const alerts: Alerts = await startAlerts({
    plant: config.plant, people: config.people, configDir: dir, log: pino({ level: 'silent' }), metrics: createRegistry(),
    records: await openAlarmRecords(store.sql), publish: (topic) => published.push(topic), now: () => t, tickMs: 3_600_000,
  })
  cleanup.push(() => alerts.close())
  return { dir, alerts, published, advance: (ms: number) => (t += ms), now: () => t }
}

it('applies a changed rules file without a restart, and keeps the running rules when the new file is invalid', async () => {
  const { dir, alerts, published, now } = await setup()
  const file = join(dir, 'rules.yaml')
  const feed = (v: number) => {
    for (let i = 0; i < 200; i++) alerts.onReadings('tcm1', 'stand2', now() + i * 100, { vibration_mm_s: v })
  }
  feed(5.0) // zone C with the shipped limit 4.5 → an alarm
  expect(alerts.engine.alarms({ active: true }).map((a) => a.rule)).toContain('vibration_zone_c')
  expect(published).toContain('plant/tcm1/stand2/alarm')

  // An engineer breaks the file: rejected, rules unchanged.
  const before = alerts.engine.rules().length
  writeFileSync(file, readFileSync(file, 'utf8').replace('sensor: vibration_mm_s', 'sensor: vibraton_mm_s'))
  expect(alerts.reload()).toBe(false)
  expect(alerts.engine.rules().length).toBe(before)

  // A valid change: zone C moves to 6 mm/s for every stand.
  writeFileSync(file, readFileSync(file, 'utf8').replaceAll('vibraton_mm_s', 'vibration_mm_s').replaceAll('when: { above: 4.5 }', 'when: { above: 6.0 }'))
  expect(alerts.reload()).toBe(true)
  const zoneC = alerts.engine.rules().find((r) => r.key === 'tcm1/stand2/vibration_mm_s/vibration_zone_c')!
  expect(JSON.stringify(zoneC.condition)).toMatch(/6/)
  await alerts.flushed()
})

it('picks up a saved rules file by itself (file watch)', async () => {
  const { dir, alerts } = await setup()
  const file = join(dir, 'rules.yaml')
  writeFileSync(file, readFileSync(file, 'utf8').replaceAll('when: { above: 7.1 }', 'when: { above: 8.2 }'))
  await expect
    .poll(() => JSON.stringify(alerts.engine.rules().find((r) => r.key === 'tcm1/stand1/vibration_mm_s/vibration_zone_d')!.condition), { timeout: 5000 })
    .toMatch(/8\.2/)
})
