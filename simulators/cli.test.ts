import { spawn } from 'node:child_process'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseCliArgs, USAGE, UsageError } from './cli-args.ts'
import { startDryRun } from './dry-run.ts'

const NOW = Date.UTC(2026, 10, 25, 8, 0, 0)
const root = fileURLToPath(new URL('..', import.meta.url))

function cli(args: string[], opts: { signalAfterOutput?: NodeJS.Signals } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'simulators/cli.ts', ...args], { cwd: root, env: { ...process.env, MQTT_URL: '' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
      if (opts.signalAfterOutput && stdout.includes('\n')) child.kill(opts.signalAfterOutput)
    })
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('command-line arguments', () => {
  it('has sensible defaults', () => {
    expect(parseCliArgs([], {}, NOW)).toMatchObject({ url: 'mqtt://127.0.0.1:1883', seed: 1, speed: 1, lines: 1, rateHz: 10, qos: 0, clients: 1, extraSensors: 0, faults: [], dryRun: false })
    expect(parseCliArgs([], { MQTT_URL: 'mqtt://broker:1884' }, NOW)).toMatchObject({ url: 'mqtt://broker:1884' })
    expect(parseCliArgs(['-h'], {}, NOW)).toBe('help')
    expect(USAGE).toMatch(/^Usage: npm run simulate[\s\S]*--from T[\s\S]*bearing-wear:stand3@5m\+20m/)
  })

  it('reads a backfill window, faults and load options', () => {
    const o = parseCliArgs(['--from', '-2h', '--follow', '--fault', 'bearing-wear:stand3@5m+20m', '--fault', 'dropout:tcm2/exit', '--lines', '2', '--rate', '50', '--extra-sensors', '8', '--qos', '1', '--clients', '4'], {}, NOW)
    expect(o).toMatchObject({ fromMs: NOW - 7_200_000, toMs: undefined, follow: true, lines: 2, rateHz: 50, extraSensors: 8, qos: 1, clients: 4 })
    expect(o !== 'help' && o.faults).toEqual(['bearing-wear:stand3@5m+20m', 'dropout:tcm2/exit'])
  })

  it('reports every problem at once', () => {
    let problems: string[] = []
    try {
      parseCliArgs(['--lines', '0', '--qos', '2', '--duration', '10', '--to', 'now', '--fault', 'stuck-sensor:stand2/nope', '--url', 'http://x'], {}, NOW)
    } catch (err) {
      problems = (err as UsageError).problems
    }
    expect(problems.join('\n')).toMatch(/--url[\s\S]*--lines 0[\s\S]*--qos 2[\s\S]*--to needs --from[\s\S]*--duration 10[\s\S]*no sensor "nope"/)
  })
})

describe('npm run simulate', () => {
  it('rejects bad arguments with status 2, dry-runs deterministically and stops cleanly on SIGTERM', async () => {
    const window = ['--dry-run', '--from', '2026-11-25T00:00:00Z', '--duration', '30s', '--seed', '3', '--fault', 'stuck-sensor:stand1/roll_force_kN@10s']
    const [bad, a, live] = await Promise.all([
      cli(['--qos', '3', '--fault', 'nope']),
      cli(window),
      cli(['--dry-run', '--log-level', 'warn'], { signalAfterOutput: 'SIGTERM' }),
    ])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--qos 3: must be 0 or 1[\s\S]*unknown kind "nope"[\s\S]*--help/)
    expect(a.code).toBe(0)
    expect(a.stderr).toContain('simulator finished')
    const lines = a.stdout.trim().split('\n').map((l) => JSON.parse(l) as { topic: string; payload: { ts: number } })
    expect(lines.filter((l) => l.topic.endsWith('/telemetry'))).toHaveLength(300 * 7)
    expect(lines[0].payload.ts).toBe(Date.UTC(2026, 10, 25))
    // The same arguments in this process give the same bytes.
    const opts = parseCliArgs(window, {}, NOW)
    if (opts === 'help') throw new Error('unexpected')
    let again = ''
    const out = new PassThrough().on('data', (d) => (again += d))
    await startDryRun(opts, out).done
    expect(again).toBe(a.stdout)
    expect(live.code).toBe(0)
    expect(live.stdout.split('\n')[0]).toMatch(/^\{"topic":"plant\/tcm1\/uncoiler\/telemetry"/)
  })
})
