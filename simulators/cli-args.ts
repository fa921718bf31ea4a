// Command-line arguments of `npm run simulate`, checked all at once into simulator options.
import { parseArgs } from 'node:util'
import { FAULT_HELP, resolveFaults } from './fault-spec.ts'
import { MAX_EXTRA_SENSORS, MAX_LINES, MAX_RATE_HZ } from './mill.ts'
import type { SimulatorOptions } from './publisher.ts'
import { parseDurationMs, parseInstant } from './time.ts'
import { lineId } from './catalog.ts'

export const USAGE = `Usage: npm run simulate -- [options]

Simulates five-stand tandem cold mills (line tcm1 …) and publishes their telemetry and coil
events over MQTT like a plant gateway.

  --url URL            broker (default $MQTT_URL or mqtt://127.0.0.1:1883)
  --seed N             random seed; the same seed gives the same messages (default 1)
  --speed X            simulated seconds per second when live (default 1)
  --duration D         stop after D of simulated time, e.g. 10m, 2h
  --from T             backfill from T (ISO 8601, epoch ms, or -2h) as fast as the broker takes it
  --to T               end of the backfill (default now)
  --follow             after the backfill, carry on live
  --lines N            lines tcm1 … tcmN (default 1)
  --rate HZ            ticks per second; every sensor's rate scales by HZ/10 (default 10)
  --extra-sensors K    adds aux_01 … aux_K (values 0–100) to every piece of equipment;
                       the plant file must declare them or ingest rejects them
  --qos 0|1            (default 0)
  --protocol P         json (default) or sparkplug: telemetry as Sparkplug B 3.0, each line an
                       edge node {line}-gw with one device per piece of equipment (coil events stay JSON)
  --sparkplug-group G  Sparkplug group id (default: the line id)
  --clients N          spread the equipment over N MQTT connections (default 1)
  --client-id ID       MQTT client id (suffixed -1 … -N with several connections)
  --username U, --password P
  --fault SPEC         a fault scenario, repeatable (see below)
  --dry-run            print the messages as JSON lines on stdout instead of publishing
  --log-level LEVEL    fatal, error, warn, info, debug (default info); logs go to stderr
  -h, --help

${FAULT_HELP}

Examples:
  npm run simulate -- --url mqtt://127.0.0.1:1883 --speed 10 --fault bearing-wear:stand3@5m+20m
  npm run simulate -- --from -2h --follow
  npm run simulate -- --dry-run --from 2026-11-25T00:00:00Z --duration 10m --seed 7 > tcm1.jsonl`

export type CliOptions = SimulatorOptions & { dryRun: boolean; logLevel: string }

export class UsageError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'))
    this.name = 'UsageError'
  }
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
const OPTIONS: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
  url: { type: 'string' }, seed: { type: 'string' }, speed: { type: 'string' }, duration: { type: 'string' },
  from: { type: 'string' }, to: { type: 'string' }, follow: { type: 'boolean' }, lines: { type: 'string' },
  rate: { type: 'string' }, 'extra-sensors': { type: 'string' }, qos: { type: 'string' }, clients: { type: 'string' },
  'client-id': { type: 'string' }, username: { type: 'string' }, password: { type: 'string' },
  protocol: { type: 'string' }, 'sparkplug-group': { type: 'string' },
  fault: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean' }, 'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
}

/** Returns the options, 'help', or throws UsageError listing every problem. */
export function parseCliArgs(argv: string[], env: Record<string, string | undefined>, nowMs: number): CliOptions | 'help' {
  // "--from -2h": a value that starts like a negative number is the option's value, not a flag.
  const args: string[] = []
  for (const a of argv) {
    const prev = args.at(-1)
    if (/^-\d/.test(a) && prev?.startsWith('--') && OPTIONS[prev.slice(2)]?.type === 'string') args[args.length - 1] = `${prev}=${a}`
    else args.push(a)
  }
  let values: Record<string, unknown>
  try {
    ;({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }))
  } catch (err) {
    throw new UsageError([(err as Error).message])
  }
  if (values.help) return 'help'
  const problems: string[] = []
  const str = (k: string) => values[k] as string | undefined
  const num = (k: string, def: number, ok: (n: number) => boolean, what: string) => {
    const raw = str(k)
    if (raw === undefined) return def
    const n = Number(raw)
    if (raw.trim() === '' || !Number.isFinite(n) || !ok(n)) problems.push(`--${k} ${raw}: must be ${what}`)
    return n
  }
  const int = (lo: number, hi: number) => (n: number) => Number.isInteger(n) && n >= lo && n <= hi
  const url = str('url') ?? (env.MQTT_URL || 'mqtt://127.0.0.1:1883')
  if (!/^(mqtts?|wss?|tcp):\/\/[^\s]+$/.test(url)) problems.push(`--url ${url}: must be an mqtt://, mqtts://, ws:// or wss:// URL`)
  const lines = num('lines', 1, int(1, MAX_LINES), `an integer in 1…${MAX_LINES}`)
  const extraSensors = num('extra-sensors', 0, int(0, MAX_EXTRA_SENSORS), `an integer in 0…${MAX_EXTRA_SENSORS}`)
  const opts: CliOptions = {
    url,
    seed: num('seed', 1, int(-(2 ** 31), 2 ** 31 - 1), 'a 32-bit integer'),
    speed: num('speed', 1, (n) => n > 0 && n <= 100_000, 'a number in (0, 100000]'),
    lines,
    rateHz: num('rate', 10, (n) => n > 0 && n <= MAX_RATE_HZ, `a number in (0, ${MAX_RATE_HZ}]`),
    qos: num('qos', 0, (n) => n === 0 || n === 1, '0 or 1') as 0 | 1,
    clients: num('clients', 1, int(1, 1000), 'an integer in 1…1000'),
    extraSensors,
    clientId: str('client-id'),
    username: str('username'),
    password: str('password'),
    follow: Boolean(values.follow),
    dryRun: Boolean(values['dry-run']),
    logLevel: str('log-level') ?? 'info',
    faults: (values.fault as string[] | undefined) ?? [],
  }
  const protocol = str('protocol') ?? 'json'
  if (protocol !== 'json' && protocol !== 'sparkplug') problems.push(`--protocol ${protocol}: must be json or sparkplug`)
  else opts.protocol = protocol
  const group = str('sparkplug-group')
  if (group !== undefined) {
    if (!/^[^+/#]{1,128}$/.test(group)) problems.push(`--sparkplug-group ${group}: must be 1–128 characters without + / #`)
    if (protocol !== 'sparkplug') problems.push('--sparkplug-group needs --protocol sparkplug')
    opts.sparkplugGroup = group
  }
  if (protocol === 'sparkplug' && opts.clients !== 1) problems.push('--clients does not apply to --protocol sparkplug: each line is one edge node with its own connection')
  if (protocol === 'sparkplug' && opts.dryRun) problems.push('--dry-run prints JSON messages; it does not apply to --protocol sparkplug')
  if (!LEVELS.includes(opts.logLevel)) problems.push(`--log-level ${opts.logLevel}: must be one of ${LEVELS.join(', ')}`)
  const instant = (k: 'from' | 'to') => {
    const raw = str(k)
    if (raw === undefined) return undefined
    const ms = parseInstant(raw, nowMs)
    if (ms === undefined) problems.push(`--${k} ${raw}: must be ISO 8601 (2026-11-25T08:00:00Z), epoch ms, "now" or a time ago such as -2h`)
    return ms
  }
  opts.fromMs = instant('from')
  opts.toMs = instant('to')
  if (opts.toMs !== undefined && str('from') === undefined) problems.push('--to needs --from')
  if (opts.fromMs !== undefined && opts.fromMs >= (opts.toMs ?? nowMs)) problems.push('--from must be before --to (and before now)')
  if (opts.follow && str('from') === undefined) problems.push('--follow needs --from (it follows a backfill)')
  const duration = str('duration')
  if (duration !== undefined) {
    opts.durationMs = parseDurationMs(duration)
    if (!opts.durationMs) problems.push(`--duration ${duration}: must be a duration such as 90s, 10m or 2h`)
  }
  if (Number.isInteger(lines) && Number.isInteger(extraSensors))
    problems.push(...resolveFaults(opts.faults!, Array.from({ length: Math.min(Math.max(lines, 1), MAX_LINES) }, (_, i) => lineId(i)), extraSensors).problems)
  if (problems.length) throw new UsageError(problems)
  return opts
}
