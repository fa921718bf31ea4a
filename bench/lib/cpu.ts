// CPU use of the processes a benchmark runs, from /proc (Linux): what limited a figure —
// millwatch's workers, the broker, InfluxDB, or the machine itself (other work included).
import { readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

/** utime + stime of a process in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(f[11]) + Number(f[12])
  } catch {
    return NaN // gone
  }
}

/** Busy and total ticks of the whole machine (first line of /proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const total = f.reduce((a, b) => a + b, 0)
  const idle = (f[3] ?? 0) + (f[4] ?? 0) // idle + iowait
  return { busy: total - idle, total }
}

export interface CpuReport {
  /** per named process: share of one core over the window, in % (100 = one core busy) */
  processes: Record<string, number>
  /** the whole machine: busy share of all cores, in % */
  machine: number
  cores: number
}

/** Starts counting now; `stop()` reports the CPU used since. */
export function sampleCpu(pids: Record<string, number | undefined>): { stop(): CpuReport } {
  const t0 = performance.now()
  const start = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid ? processTicks(pid) : NaN]))
  const m0 = machineTicks()
  return {
    stop() {
      const seconds = (performance.now() - t0) / 1000
      const processes = Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => [name, pid ? ((processTicks(pid) - start[name]!) / TICKS_PER_SECOND / seconds) * 100 : NaN]),
      )
      const m1 = machineTicks()
      const cores = readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d/.test(l)).length
      return { processes, machine: ((m1.busy - m0.busy) / (m1.total - m0.total)) * 100, cores }
    },
  }
}
