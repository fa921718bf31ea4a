// Keeping the singletons alone (issue 7): the alarm state machine, the coil service and the
// node-cron jobs run in the process that holds the records store. A DuckDB file admits one
// writing process (an OS file lock, which the kernel releases when the holder dies, even by
// SIGKILL), so the lock *is* the lease: a standby started with STANDBY=on and the same
// DATA_DIR keeps trying to open the file and takes over within `retryMs` of the holder's
// death, restoring the alarm states from the records as every startup does.
import type { Logger } from '../../core/log.ts'

/** DuckDB's message when another process holds the file: "Could not set lock on file … Conflicting lock is held in … (PID 123)". */
const LOCKED = /Could not set lock on file|Conflicting lock/i

export const isLockedByAnotherProcess = (err: unknown) => err instanceof Error && LOCKED.test(err.message)

/** "pid 1234" when DuckDB names the holder. */
function holderOf(err: Error): string {
  const pid = /PID (\d+)/.exec(err.message)?.[1]
  return pid ? `pid ${pid}` : 'another process'
}

export interface LeaseOptions {
  /** wait for the lease instead of failing (STANDBY=on) */
  standby: boolean
  log: Logger
  /** how often a standby tries again (default 1 s) */
  retryMs?: number
  /** called once when the standby starts waiting (to serve /healthz as "standby") */
  onWaiting?: (holder: string) => Promise<void> | void
}

/** Opens the records store; a standby waits, retrying, while another process holds it. */
export async function openWithLease<T>(open: () => Promise<T>, o: LeaseOptions): Promise<T> {
  const log = o.log.child({ part: 'lease' })
  let waitingSince: number | undefined
  for (;;) {
    try {
      const opened = await open()
      if (waitingSince !== undefined) log.warn({ waitedMs: Date.now() - waitingSince }, 'standby: the records store is ours now; taking over')
      return opened
    } catch (err) {
      if (!o.standby || !isLockedByAnotherProcess(err)) throw err
      if (waitingSince === undefined) {
        waitingSince = Date.now()
        const holder = holderOf(err as Error)
        log.warn({ holder }, `standby: ${holder} holds the records store; waiting to take over when it stops`)
        await o.onWaiting?.(holder)
      }
      await new Promise((r) => setTimeout(r, o.retryMs ?? 1000))
    }
  }
}
