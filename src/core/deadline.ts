/**
 * A time budget shared by every await of one request, so the request as a whole never waits
 * longer than the budget, however many steps (JWKS download, coordination, refresh) it takes.
 *
 * @module
 */

/** What {@link Deadline.race} resolves to when the budget ran out first. */
export const TIMED_OUT: unique symbol = Symbol('timed out')

/** A running time budget. */
export interface Deadline {
  /** Resolve with `work`'s value, or with {@link TIMED_OUT} if the budget ends first. */
  race<T>(work: Promise<T>): Promise<T | typeof TIMED_OUT>
  /** Stop the timer; call it when the request is decided. */
  clear(): void
}

/** Start a budget of `ms` milliseconds. Its timer never keeps the process alive. */
export function startDeadline(ms: number): Deadline {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT)
    timer.unref()
  })
  return {
    race: (work) => Promise.race([work, expired]),
    clear: () => {
      clearTimeout(timer)
    },
  }
}
