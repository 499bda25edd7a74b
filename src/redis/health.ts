/**
 * Whether Redis is to be used right now, and the rate-limited warning when it is not. After a
 * failure Redis is skipped for a short while, so an outage costs one command timeout per
 * interval, not one per request.
 *
 * @module
 */
import type { Logger } from '../core/types.js'

/** How long Redis is skipped after a failure, milliseconds. */
export const RETRY_AFTER_MS = 1000
/** The least time between two warnings, milliseconds. */
export const WARNING_INTERVAL_MS = 30_000

/** Tracks the health of Redis for one coordinator. */
export class RedisHealth {
  readonly #logger: Logger | undefined
  readonly #keyPrefix: string
  #skipUntil = 0
  #down = false
  #warnedAt = -Infinity
  #suppressed = 0

  constructor(logger: Logger | undefined, keyPrefix: string) {
    this.#logger = logger
    this.#keyPrefix = keyPrefix
  }

  /** `false` while Redis is skipped after a recent failure. */
  usable(now: number): boolean {
    return now >= this.#skipUntil
  }

  /** Record a failure: skip Redis for {@link RETRY_AFTER_MS} and warn, rate-limited. */
  failed(problem: string, now: number): void {
    this.#skipUntil = now + RETRY_AFTER_MS
    this.#down = true
    if (now - this.#warnedAt < WARNING_INTERVAL_MS) {
      this.#suppressed++
      return
    }
    const suppressed = this.#suppressed
    this.#warnedAt = now
    this.#suppressed = 0
    this.#log(
      'warn',
      {
        code: 'ERR_KEEPALIVE_COORDINATOR_FAILED',
        keyPrefix: this.#keyPrefix,
        problem,
        ...(suppressed > 0 ? { suppressed } : {}),
      },
      'corbado-keepalive: Redis unavailable, coordinating refreshes in-process',
    )
  }

  /** Record a success; the first after a failure is logged. */
  succeeded(): void {
    if (!this.#down) return
    this.#down = false
    this.#log(
      'info',
      { keyPrefix: this.#keyPrefix },
      'corbado-keepalive: Redis available again, coordinating refreshes across instances',
    )
  }

  #log(level: 'warn' | 'info', context: Record<string, unknown>, message: string): void {
    try {
      this.#logger?.[level]?.(context, message)
    } catch {
      // A broken logger must not break requests.
    }
  }
}

/** A description of `error` that is safe to log: its class and message, shortened. */
export function describeProblem(error: unknown): string {
  if (!(error instanceof Error)) return typeof error
  return `${error.name}: ${error.message}`.slice(0, 200)
}
