/**
 * A time budget shared by every await of one request, so the request as a whole never waits
 * longer than the budget, however many steps (JWKS download, coordination, refresh) it takes;
 * and the timeout of one call to the Frontend API, cleared once its answer is read.
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
  /** When the budget runs out, milliseconds since the epoch. */
  readonly endsAt: number
}

/**
 * Start a budget of `ms` milliseconds. Where timers can be unref'd (Node, Bun, Deno), its timer
 * never keeps the process alive; elsewhere (workerd, browsers) a timer is a plain id.
 */
export function startDeadline(ms: number): Deadline {
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT)
    unref(timer)
  })
  return {
    endsAt: Date.now() + ms,
    race: (work) => Promise.race([work, expired]),
    clear: () => {
      clearTimeout(timer)
    },
  }
}

/** A signal that aborts after a time, unless cleared first; see {@link abortAfter}. */
export interface Timeout {
  readonly signal: AbortSignal
  /** Cancel the timeout, once what it bounds has settled. */
  clear(): void
}

/**
 * A signal that aborts with a `TimeoutError` `DOMException` after `ms` milliseconds, as
 * `AbortSignal.timeout(ms)` does, but that can be cleared: `AbortSignal.timeout` leaves a timer
 * behind every call, which fires long after the answer came, to make an exception and dispatch an
 * abort event that nothing awaits any more.
 */
export function abortAfter(ms: number): Timeout {
  const controller = new AbortController()
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'))
  }, ms)
  unref(timer)
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer)
    },
  }
}

/** Call the timer's `unref`, only when the runtime's timers have one. */
function unref(timer: unknown): void {
  if (typeof timer !== 'object' || timer === null) return
  const method = (timer as { unref?: unknown }).unref
  if (typeof method === 'function') method.call(timer)
}
