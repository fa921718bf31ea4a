// Per-client publish rate limit: a token bucket that delays instead of dropping. A publish
// without a token waits in a FIFO until one is free; aedes does not read that client's socket
// again until every publish of the last read is through, so TCP flow control slows the device
// down and nothing it sent is lost. The queue is bounded by what one socket read holds;
// `maxWaiting` is a second fence against aedes' read accounting drifting under a long flood.

export class TokenBucket {
  private tokens: number
  private last = performance.now()
  // FIFO as an array with a moving head: shift() on tens of thousands of entries is O(n) each.
  private waiting: Array<(() => void) | undefined> = []
  private head = 0
  private timer: NodeJS.Timeout | undefined
  private closed = false

  /** `rate` tokens a second, at most `burst` saved up (one second's worth by default). */
  constructor(
    private readonly rate: number,
    private readonly burst = rate,
    private readonly maxWaiting = 100_000,
  ) {
    this.tokens = burst
  }

  get queued(): number {
    return this.waiting.length - this.head
  }

  /** Takes a token if one is free and nobody is waiting (order is kept); `take` queues otherwise. */
  tryTake(): boolean {
    if (this.queued !== 0 || this.refill() < 1) return false
    this.tokens--
    return true
  }

  /**
   * Runs `go` now if a token is free (and nobody is waiting: order is kept), else once one is.
   * Returns 'now', 'later', or 'full' when the queue is at maxWaiting (`go` is not kept).
   */
  take(go: () => void): 'now' | 'later' | 'full' {
    if (this.queued === 0 && this.refill() >= 1) {
      this.tokens--
      go()
      return 'now'
    }
    if (this.closed || this.queued >= this.maxWaiting) return 'full'
    this.waiting.push(go)
    this.schedule()
    return 'later'
  }

  /** Forgets every waiting publish (its connection is gone) and stops the timer. */
  close(): void {
    this.closed = true
    clearTimeout(this.timer)
    this.timer = undefined
    this.waiting = []
    this.head = 0
  }

  private refill(): number {
    const now = performance.now()
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000)
    this.last = now
    return this.tokens
  }

  private schedule(): void {
    if (this.timer || this.closed) return
    // Wait until the next whole token; timers fire in >= 1 ms steps, so at high rates each
    // release lets a small batch through.
    const ms = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.rate))
    this.timer = setTimeout(() => this.release(), ms)
  }

  private release(): void {
    this.timer = undefined
    this.refill()
    while (this.tokens >= 1 && this.queued > 0 && !this.closed) {
      this.tokens--
      const go = this.waiting[this.head]!
      this.waiting[this.head++] = undefined
      go()
    }
    if (this.head === this.waiting.length) (this.waiting = []), (this.head = 0)
    else if (this.head > 4096 && this.head * 2 > this.waiting.length) (this.waiting = this.waiting.slice(this.head)), (this.head = 0)
    if (this.queued > 0) this.schedule()
  }
}
