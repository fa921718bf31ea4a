// `npm run screenshots [-- --hours 12 --out docs/screenshots]`: retakes the README's pictures of
// the manager's pages. Starts millwatch with an empty data folder, backfills some hours of the
// simulated mill (with a bearing wearing out and a thickness excursion, so the alarm tiles have
// something to show), carries on live, signs in as the demo's English-speaking engineer and
// manager, and photographs the overview, trends, live view and sensor explorer in headless Chromium.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'
import { startMillwatch } from '../bin/start.ts'
import { loadConfig } from '../core/config.ts'
import { Credentials } from '../core/credentials.ts'
import { createLogger } from '../core/log.ts'
import { startSimulator } from '../simulators/publisher.ts'

const { values: args } = parseArgs({
  options: {
    hours: { type: 'string', default: '12' },
    out: { type: 'string', default: 'docs/screenshots' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    width: { type: 'string', default: '1400' },
    pages: { type: 'string', default: 'overview,trends,live,explorer' },
  },
})
const hours = Number(args.hours)
const out = resolve(args.out!)
mkdirSync(out, { recursive: true })
const dataDir = mkdtempSync(join(tmpdir(), 'millwatch-screenshots-'))
const log = createLogger({ level: 'warn' })
const config = loadConfig({ HTTP_PORT: '0', MQTT_PORT: '0', MQTT_WS_PORT: '0', DATA_DIR: dataDir, SIMULATOR: 'off' })
// A throwaway password in the throwaway data folder (the one-time demo link is the admin's).
const PERSON = 'tom.baker'
const PASSWORD = `screenshots ${process.pid} ${Date.now()}`
await new Credentials(dataDir).setPassword(PERSON, PASSWORD)
const mw = await startMillwatch(config, log)
const progress = (text: string) => process.stdout.write(`${text}\n`)

try {
  const now = Date.now()
  progress(`backfilling ${hours} h of simulated telemetry into ${dataDir} …`)
  const backfill = await startSimulator({
    url: mw.urls.mqtt, qos: 1, rateHz: 2, fromMs: now - hours * 3_600_000, toMs: now, clientId: 'screenshots-backfill',
    faults: [`bearing-wear:stand3@${Math.round(hours * 0.4 * 60)}m+${Math.round(hours * 0.3 * 60)}m`, `thickness-excursion@${Math.round(hours * 0.7 * 60)}m+3m`],
  })
  const ticker = setInterval(() => progress(`  ${Math.round(100 * (backfill.stats().progress ?? 0))} %`), 5000)
  await backfill.done
  clearInterval(ticker)
  await backfill.close()
  const live = await startSimulator({ url: mw.urls.mqtt, qos: 1, clientId: 'screenshots-live' })
  await new Promise((r) => setTimeout(r, 15_000)) // let coils start, the live hub fill and the rollups catch up

  const browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
  const page = await browser.newPage({ viewport: { width: Number(args.width), height: 900 }, timezoneId: 'UTC' })
  page.on('pageerror', (e) => progress(`page error: ${e.message}`))
  page.on('console', (m) => m.type() === 'error' && progress(`console: ${m.text()}`))
  page.on('response', (r) => r.status() >= 400 && progress(`${r.status()} ${r.url()}`))
  await page.goto(`${mw.urls.http}/login`)
  await page.fill('#user', PERSON)
  await page.fill('#password', PASSWORD)
  await Promise.all([page.waitForURL('**/overview'), page.click('button[type=submit]')])
  const shots: [string, string, () => Promise<unknown>][] = [
    ['overview', '/overview', () => page.waitForFunction(() => document.getElementById('tonnage')?.textContent !== '–')],
    ['trends', '/trends', () => page.waitForFunction(() => (window as any).mwCharts?.[0]?.data?.[0]?.length > 0)],
    ['live', '/live', () => page.waitForFunction(() => (window as any).mwLive?.frames > 20)],
    ['explorer', `/explorer?s=tcm1/stand3/vibration_mm_s&s=tcm1/stand3/bearing_temp_C&s=tcm1/exit/thickness_dev_um`, () => page.waitForFunction(() => (window as any).mwCharts?.[0]?.data?.[0]?.length > 0)],
  ]
  for (const [name, path, ready] of shots.filter(([name]) => args.pages!.split(',').includes(name))) {
    await page.goto(mw.urls.http + path)
    if (name === 'explorer' || name === 'trends') await page.selectOption('#period', '24h')
    await ready()
    await page.waitForTimeout(1500)
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true })
    progress(`${join(args.out!, name + '.png')}`)
  }
  await browser.close()
  await live.close()
} finally {
  await mw.close()
  rmSync(dataDir, { recursive: true, force: true })
}
