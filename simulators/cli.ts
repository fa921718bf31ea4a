// `npm run simulate -- …`: the cold-mill simulator on its own, publishing to any broker.
// Exit status: 0 done or stopped by a signal, 1 failure (e.g. no broker), 2 bad arguments.
import { pino, type Logger } from 'pino'
import { parseCliArgs, USAGE, UsageError, type CliOptions } from './cli-args.ts'
import { startDryRun } from './dry-run.ts'
import { startSimulator, type SimulatorHandle, type SimulatorStats } from './publisher.ts'
import { formatDuration } from './time.ts'

const PROGRESS_EVERY_MS = 2000
const LIVE_SUMMARY_EVERY_MS = 30_000

function logger(level: string): Logger {
  // Logs and progress go to stderr: stdout stays free for --dry-run's messages.
  return process.stderr.isTTY
    ? pino({ level, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } })
    : pino({ level }, pino.destination(2))
}

/** Progress lines: percent, simulated time reached, messages/s and ETA during a backfill. */
function reportProgress(sim: SimulatorHandle, log: Logger): NodeJS.Timeout {
  const began = performance.now()
  let last = { at: began, messages: 0 }
  let lastSummary = began
  return setInterval(() => {
    const s: SimulatorStats = sim.stats()
    const now = performance.now()
    const rate = Math.round(((s.messages - last.messages) * 1000) / (now - last.at))
    last = { at: now, messages: s.messages }
    const at = new Date(s.simTimeMs).toISOString()
    if (s.mode === 'backfill' && s.progress !== undefined) {
      const eta = s.progress > 0 ? ((now - began) * (1 - s.progress)) / s.progress : NaN
      log.info({ progress: s.progress, simTime: at, msgPerS: rate, dropped: s.dropped }, `backfill ${(100 * s.progress).toFixed(1)}% at ${at}, ${rate} msg/s, ETA ${formatDuration(eta)}`)
    } else if (s.mode === 'live' && now - lastSummary >= LIVE_SUMMARY_EVERY_MS) {
      lastSummary = now
      log.info({ simTime: at, msgPerS: rate, messages: s.messages, dropped: s.dropped, coils: s.coils, lagMs: Math.round(s.lagMs) }, `live at ${at}, ${rate} msg/s`)
    }
  }, PROGRESS_EVERY_MS).unref()
}

async function main(): Promise<number> {
  let opts: CliOptions | 'help'
  try {
    opts = parseCliArgs(process.argv.slice(2), process.env, Date.now())
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    process.stderr.write(`simulate: ${err.problems.join('\nsimulate: ')}\nRun with --help for usage.\n`)
    return 2
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const log = logger(opts.logLevel)
  const { dryRun, logLevel: _, ...simOpts } = opts
  let sim: SimulatorHandle
  try {
    sim = dryRun ? startDryRun(simOpts, process.stdout) : await startSimulator({ ...simOpts, log })
  } catch (err) {
    log.error((err as Error).message)
    return 1
  }
  if (dryRun) process.stdout.on('error', () => void sim.close()) // e.g. piped into `head`
  const progress = reportProgress(sim, log)
  const stop = new Promise<string>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve(signal))
  })
  const why = await Promise.race([sim.done.then(() => 'done'), stop])
  clearInterval(progress)
  if (why !== 'done') log.info(`${why}: closing`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(1)) // a second signal: stop now
  await sim.close()
  const s = sim.stats()
  log.info({ messages: s.messages, values: s.values, dropped: s.dropped, coils: s.coils, simTime: new Date(s.simTimeMs).toISOString() }, 'simulator finished')
  return 0
}

main().then(
  (code) => {
    process.exitCode = code
    // Should a socket or timer linger after close, do not hang the shell.
    setTimeout(() => process.exit(code), 2000).unref()
  },
  (err) => {
    process.stderr.write(`simulate: ${(err as Error).stack ?? err}\n`)
    process.exitCode = 1
  },
)
