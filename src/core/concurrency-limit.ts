/**
 * A bound on the upstream refreshes one process makes at once. Verifying each new token (RS256)
 * and writing its cookie costs CPU; when thousands of sessions expire together, an unbounded number
 * of refreshes in flight would finish together too, and every other request would queue behind
 * their work. With a bound, the rest wait their turn while costing nothing.
 *
 * @module
 */

interface Waiter {
  readonly until: number
  readonly admit: (admitted: boolean) => void
}

/** At most `max` holders at once; the others wait in arrival order. */
export class ConcurrencyLimit {
  #free: number
  // Served from `#head`, so a long line is not shifted on every release.
  #queue: (Waiter | undefined)[] = []
  #head = 0

  /** @param max - holders at once, at least 1. */
  constructor(max: number) {
    this.#free = Math.max(1, Math.floor(max))
  }

  /**
   * Resolves `true` once admitted (then {@link release} exactly once, in a `finally`), or `false`
   * when the turn comes at or after `until` (ms since the epoch): the request has been answered by
   * then, and a backlog of requests that gave up must not become upstream calls.
   */
  acquire(until: number): Promise<boolean> {
    if (this.#free > 0) {
      this.#free--
      return Promise.resolve(true)
    }
    return new Promise((admit) => {
      this.#queue.push({ until, admit })
    })
  }

  /** Give a place back: to the longest-waiting waiter that may still have it, else free it. */
  release(now: number): void {
    while (this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head]
      this.#queue[this.#head++] = undefined
      this.#compact()
      if (waiter === undefined) continue
      if (now < waiter.until) {
        waiter.admit(true)
        return
      }
      waiter.admit(false)
    }
    this.#free++
  }

  /** Waiters in line now. */
  get waiting(): number {
    return this.#queue.length - this.#head
  }

  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = []
      this.#head = 0
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
  }
}
