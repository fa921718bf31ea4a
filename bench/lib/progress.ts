// A one-line progress bar with rate and ETA for long benchmark preparation (long work shows
// progress). Redraws in place on a terminal; elsewhere (CI logs) prints a line every 10 %.

export interface Progress {
  /** `done` of `total` units finished so far */
  update(done: number): void
  /** the final line, with the elapsed time */
  finish(note?: string): void
}

const clock = (s: number) => {
  if (!Number.isFinite(s)) return '--:--'
  const m = Math.floor(s / 60)
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`
}

export function progress(label: string, total: number, unit: string, out: NodeJS.WriteStream = process.stderr): Progress {
  const t0 = performance.now()
  const tty = out.isTTY === true
  let lastDecile = -1
  const line = (done: number) => {
    const s = (performance.now() - t0) / 1000
    const share = total > 0 ? Math.min(1, done / total) : 1
    const width = 30
    const bar = '█'.repeat(Math.round(share * width)).padEnd(width, '░')
    const rate = done / Math.max(s, 1e-3)
    const eta = share > 0 ? (s / share) * (1 - share) : Infinity
    return `${label} ${bar} ${(share * 100).toFixed(0).padStart(3)} %  ${Math.round(rate).toLocaleString('en-US')} ${unit}/s  elapsed ${clock(s)}  ETA ${clock(eta)}`
  }
  return {
    update(done) {
      if (tty) return void out.write(`\r${line(done)}\x1b[K`)
      const decile = Math.floor((done / total) * 10)
      if (decile > lastDecile) ((lastDecile = decile), out.write(`${line(done)}\n`))
    },
    finish(note = '') {
      const s = (performance.now() - t0) / 1000
      out.write(`${tty ? '\r' : ''}${label} done in ${clock(s)}${note ? ` — ${note}` : ''}${tty ? '\x1b[K' : ''}\n`)
    },
  }
}
