// One pino root per process; parts take log.child({ part }). JSON everywhere, pretty when a
// person is watching a terminal.
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(opts: { level?: string; pretty?: boolean } = {}): Logger {
  const pretty = opts.pretty ?? Boolean(process.stdout.isTTY)
  return pino({
    level: opts.level ?? 'info',
    base: { pid: process.pid },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  })
}
