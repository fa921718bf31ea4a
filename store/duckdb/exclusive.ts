// The writer connection runs one transaction at a time: group commits, maintenance and close
// take turns through this queue (a promise chain), never interleaving their awaits.
export class Exclusive {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(fn: () => Promise<T>): Promise<T> {
    const r = this.tail.then(fn)
    this.tail = r.catch(() => undefined)
    return r
  }
}
