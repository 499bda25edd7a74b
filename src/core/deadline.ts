/**
 * A time budget shared by every await of one request, so the request as a whole never waits
 * longer than the budget, however many steps (JWKS download, coordination, refresh) it takes;
 * and the timeout of one call to the Frontend API, cleared once its answer is read.
 *
 * @module
 */
import { unrefTimer } from './unref-timer.js'

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
 * Start a budget of `ms` milliseconds. Its timer never keeps the process alive (see
 * {@link unrefTimer}).
 */
export function startDeadline(ms: number): Deadline {
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT)
    unrefTimer(timer)
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
  unrefTimer(timer)
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer)
    },
  }
}
