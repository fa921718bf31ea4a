// The live hub: a new subscriber gets every series' newest reading at once, then only what
// changed; a frame never carries more than its bound (the rest follow); lines stay apart.
import { afterEach, describe, expect, it } from 'vitest'
import { startLiveHub, type LiveFrame, type LiveHub } from './live.ts'

let hub: LiveHub
afterEach(() => hub?.close())

function collect(line: string): LiveFrame[] {
  const frames: LiveFrame[] = []
  hub.subscribe(line, (json) => frames.push(JSON.parse(json)))
  return frames
}

describe('live hub', () => {
  it('sends a snapshot, then the changed series with their newest reading', async () => {
    hub = startLiveHub({ intervalMs: 20 })
    hub.onReadings('tcm1', 'stand1', 1000, { speed_mps: 10, tension_kN: 200 })
    hub.onReadings('tcm1', 'stand1', 1100, { speed_mps: 11 })
    hub.onReadings('tcm1', 'stand1', 900, { speed_mps: 9 }) // late: older than what the hub has
    const frames = collect('tcm1')
    expect(frames[0]).toMatchObject({ line: 'tcm1', snapshot: true, values: { 'stand1/speed_mps': [1100, 11], 'stand1/tension_kN': [1000, 200] } })
    hub.onReadings('tcm1', 'exit', 1200, { thickness_um: 801 })
    await expect.poll(() => frames.find((f) => !f.snapshot && f.values['exit/thickness_um'])).toBeTruthy()
    expect(frames.find((f) => !f.snapshot && f.values['exit/thickness_um'])!.values['exit/thickness_um']).toEqual([1200, 801])
    // an unchanged series is sent once after it changed, not again every interval
    await new Promise((r) => setTimeout(r, 80))
    expect(frames.filter((f) => !f.snapshot && f.values['stand1/speed_mps']).length).toBeLessThanOrEqual(1)
    expect(frames.filter((f) => !f.snapshot && f.values['exit/thickness_um'])).toHaveLength(1)
  })

  it('keeps lines apart and sends nothing when nothing changed', async () => {
    hub = startLiveHub({ intervalMs: 10 })
    const tcm1 = collect('tcm1')
    const tcm2 = collect('tcm2')
    hub.onReadings('tcm2', 'stand1', 1, { speed_mps: 3 })
    await expect.poll(() => tcm2.length).toBe(2)
    await new Promise((r) => setTimeout(r, 60))
    expect(tcm1).toHaveLength(1) // the snapshot only
    expect(tcm2).toHaveLength(2)
  })

  it('bounds a frame: series beyond the bound follow in the next frames', async () => {
    hub = startLiveHub({ intervalMs: 10, maxSeriesPerFrame: 4 })
    const frames = collect('tcm1')
    const values: Record<string, number> = {}
    for (let i = 0; i < 10; i++) values[`s${i}`] = i
    hub.onReadings('tcm1', 'stand1', 5, values)
    await expect.poll(() => frames.filter((f) => !f.snapshot).flatMap((f) => Object.keys(f.values)).length).toBe(10)
    expect(frames.filter((f) => !f.snapshot).map((f) => Object.keys(f.values).length)).toEqual([4, 4, 2])
  })

  it('stops broadcasting for a subscriber that left', async () => {
    hub = startLiveHub({ intervalMs: 10 })
    const frames: string[] = []
    const unsubscribe = hub.subscribe('tcm1', (j) => frames.push(j))
    unsubscribe()
    hub.onReadings('tcm1', 'stand1', 1, { speed_mps: 3 })
    await new Promise((r) => setTimeout(r, 50))
    expect(frames).toHaveLength(1)
    expect(hub.subscribers()).toBe(0)
  })
})
