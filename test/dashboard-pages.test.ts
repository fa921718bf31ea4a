// The manager's pages in a real headless Chromium (Debian `chromium`, playwright-core) against
// the real entry point: 45 minutes of simulated mill history (a bearing wearing out, so there
// are alarms) are backfilled, a live simulator carries on, and an engineer signs in with the
// demo's one-time link. The overview shows the API's figures, the charts draw points, the live
// view updates in place, the explorer zooms to a finer step, and the drill-down reaches a
// coil's page; no page logs an error.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type SimulatorHandle } from '../simulators/publisher.ts'
import { spawnMillwatch, tempDir, type RunningMillwatch } from './helpers/millwatch.ts'

let mw: RunningMillwatch
let live: SimulatorHandle | undefined
let browser: Browser
let signedIn: BrowserContext

beforeAll(async () => {
  mw = await spawnMillwatch({ DATA_DIR: tempDir('mw-pages-'), SIMULATOR: 'off' }, 60_000)
  const now = Date.now()
  const backfill = await startSimulator({ url: mw.mqtt, qos: 1, rateHz: 2, fromMs: now - 45 * 60_000, toMs: now, clientId: 'pages-backfill', faults: ['bearing-wear:stand3@10m+20m'] })
  await backfill.done
  await backfill.close()
  live = await startSimulator({ url: mw.mqtt, qos: 1, clientId: 'pages-live' })
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  // The link works once: every page of these tests shares the session it opens.
  signedIn = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await signedIn.newPage()
  await page.goto(/sign in\s+(http\S+)/.exec(mw.output())![1])
  expect(new URL(page.url()).pathname).toBe('/overview')
  await page.close()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await live?.close()
  await mw?.stop()
})

/** A signed-in page that records every script error, console error and failed request. */
async function signedInPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await signedIn.newPage()
  const problems: string[] = []
  page.on('pageerror', (e) => problems.push(e.message))
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()))
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`))
  return { page, problems }
}

const chartPoints = (page: Page, i = 0) => page.evaluate((i) => (window as any).mwCharts?.[i]?.data?.[0]?.length ?? 0, i)

describe('manager pages in Chromium', () => {
  it('signed out, the pages send the visitor to sign in', async () => {
    const res = await fetch(`${mw.http}/overview`, { redirect: 'manual' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?next=%2Foverview')
  })

  it('the overview shows the figures the KPI API returns', async () => {
    const { page, problems } = await signedInPage()
    const answer = page.waitForResponse((r) => r.url().includes('/api/kpi/overview?'), { timeout: 30_000 })
    await page.goto(`${mw.http}/overview`)
    const kpi = await (await answer).json()
    await expect.poll(() => page.textContent('#coils'), { timeout: 20_000 }).toBe(String(kpi.production.coils))
    expect(kpi.production.coils).toBeGreaterThan(0)
    expect(Number((await page.textContent('#tonnage'))!.replace(/,/g, ''))).toBeCloseTo(kpi.production.tonnage_t, 1)
    expect(await page.textContent('#oee')).toBe(kpi.oee.oee === null ? '–' : `${(kpi.oee.oee * 100).toFixed(1)} %`)
    expect(await page.locator('#worst tbody tr').count()).toBe(kpi.worstEquipment.length)
    // each tile's CSV link downloads a table
    const href = await page.getAttribute('#tile-production a.csv', 'href')
    const csv = await page.evaluate(async (u) => (await fetch(u!)).text(), href)
    expect(csv.split('\n')[0]).toContain('tonnage_t')
    expect(problems).toEqual([])
    await page.close()
  }, 60_000)

  it('trends draw points; a period drills down to its coils and a coil page', async () => {
    const { page, problems } = await signedInPage()
    await page.goto(`${mw.http}/trends?by=hour`)
    expect(await page.inputValue('#by')).toBe('hour')
    // five KPI reads on a loaded 2-core box: give them time
    await expect.poll(() => chartPoints(page), { timeout: 60_000 }).toBeGreaterThan(0)
    // a drawn canvas has pixels that are not the background
    expect(await page.evaluate(() => (document.querySelector('#chart-tonnage canvas') as HTMLCanvasElement).toDataURL().length)).toBeGreaterThan(3000)
    const rows = await page.evaluate(() => (window as any).mwTrends.rows as { coils: number }[])
    const withCoils = rows.findIndex((r) => r.coils > 0)
    expect(withCoils).toBeGreaterThanOrEqual(0)
    await Promise.all([page.waitForURL('**/drill?**'), page.click(`#rows tbody tr:nth-child(${withCoils + 1})`)])
    await expect.poll(() => page.locator('#coils tbody a').count(), { timeout: 45_000 }).toBeGreaterThan(0)
    const coil = (await page.textContent('#coils tbody a'))!
    await Promise.all([page.waitForURL(`**/coils/${coil}`), page.click('#coils tbody a')])
    expect(await page.textContent('h1')).toBe(coil)
    expect(problems).toEqual([])
    await page.close()
  }, 150_000)

  it('the live view updates in place from the stream', async () => {
    const { page, problems } = await signedInPage()
    await page.goto(`${mw.http}/live`)
    await expect.poll(() => page.evaluate(() => (window as any).mwLive?.frames ?? 0), { timeout: 20_000 }).toBeGreaterThan(0)
    const first = await page.evaluate(() => (window as any).mwLive.frames)
    await expect.poll(() => page.evaluate(() => (window as any).mwLive.frames), { timeout: 20_000 }).toBeGreaterThan(first + 3)
    expect(await page.locator('table.live td.num:not(:empty)').count()).toBeGreaterThan(20)
    await expect.poll(() => chartPoints(page), { timeout: 20_000 }).toBeGreaterThan(1)
    // the plant model's limits are drawn: stand vibration's high limit, 4.5 mm/s (ISO 10816-3 group 1, zone B/C)
    const limits = await page.evaluate(() => (window as any).mwCharts.map((u: any) => {
      const i = u.series.findIndex((s: any) => s.label === 'limit high')
      return i < 0 ? undefined : u.data[i].find((v: number | null) => v != null)
    }))
    expect(limits).toContain(4.5)
    await expect.poll(() => page.textContent('#coil-now'), { timeout: 20_000 }).toMatch(/\S/)
    expect(problems).toEqual([])
    await page.close()
  }, 60_000)

  it('on a phone the pages fit the screen: wide tables scroll inside themselves, the page does not', async () => {
    const page = await signedIn.newPage()
    await page.setViewportSize({ width: 390, height: 844 })
    for (const path of ['/overview', '/trends', '/live', '/explorer']) {
      await page.goto(mw.http + path)
      await page.waitForLoadState('networkidle').catch(() => undefined) // the live page's streams never go idle
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth), { timeout: 20_000, message: path }).toBeLessThanOrEqual(390)
    }
    await page.close()
  }, 90_000)

  it('the explorer overlays sensors from the store buckets and zooms to a finer step', async () => {
    const { page, problems } = await signedInPage()
    await page.goto(`${mw.http}/explorer?s=tcm1/stand3/vibration_mm_s&s=tcm1/stand3/bearing_temp_C`)
    await page.selectOption('#period', '1h')
    // the default period's chart may still be answering: let the last hour's be the one drawn
    await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined)
    await expect.poll(() => chartPoints(page), { timeout: 30_000 }).toBeGreaterThan(10)
    expect(await chartPoints(page)).toBeLessThanOrEqual(1500)
    expect(await page.evaluate(() => (window as any).mwCharts[0].series.length)).toBe(3)
    const before = await page.evaluate(() => (window as any).mwExplorer.step as number)
    // drag across the middle of the plot: select-to-zoom fetches that span at a finer step
    // (the chart may be rebuilt by a late answer: take the plot's box once it is on screen)
    let box: { x: number; y: number; width: number; height: number } | null = null
    await expect.poll(async () => (box = await page.locator('#chart .u-over').first().boundingBox()), { timeout: 20_000 }).not.toBeNull()
    box = box!
    await page.mouse.move(box.x + box.width * 0.85, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 5 })
    await page.mouse.up()
    await expect.poll(() => page.evaluate(() => (window as any).mwExplorer.step as number), { timeout: 20_000 }).toBeLessThan(before)
    await expect.poll(() => new URL(page.url()).searchParams.get('from') ?? '', { timeout: 20_000 }).toMatch(/^\d+/)
    expect(problems).toEqual([])
    await page.close()
  }, 60_000)
})
