/**
 * Driving {@link KeepAlive.handle}'s result, synchronous or a promise, through an adapter's
 * steps: the one place every adapter shares for it.
 *
 * @module
 */
import type { KeepAliveOutcome } from './types.js'

/** What an adapter does with a decision, in its framework's terms. */
export interface DriveSteps<R> {
  /** Apply the outcome: expose the session, rewrite the request, arrange the `Set-Cookie`s. */
  apply(outcome: KeepAliveOutcome): void
  /** Hand the request on to downstream; its result is what {@link drive} returns. */
  proceed(): R
  /**
   * Hand a bug to the framework instead: a throw or rejection of `decide`, a throw of `apply`,
   * or one of `proceed` (which a framework's own `next` would have turned into an error too).
   */
  fail(error: unknown): R
}

/**
 * Run `decide` (an adapter's call of `keepAlive.handle`), apply its outcome, then proceed.
 *
 * A synchronous outcome (the hot path) is applied and proceeded at once, with no promise, and
 * `proceed`'s result is returned as it is. An asynchronous outcome returns a promise of it. A
 * throw or rejection of `decide`, and a throw of `apply` or `proceed`, goes to `fail`, whose
 * result is returned instead: none reaches the caller or becomes an unhandled rejection.
 */
export function drive<R>(
  decide: () => KeepAliveOutcome | Promise<KeepAliveOutcome>,
  steps: DriveSteps<R>,
): R | Promise<R> {
  let decision: KeepAliveOutcome | Promise<KeepAliveOutcome>
  try {
    decision = decide()
  } catch (error) {
    return steps.fail(error)
  }
  if (!(decision instanceof Promise)) return settle(decision, steps)
  return decision.then(
    (outcome) => settle(outcome, steps),
    // Only a bug rejects: expected conditions are outcomes.
    (error: unknown) => steps.fail(error),
  )
}

function settle<R>(outcome: KeepAliveOutcome, steps: DriveSteps<R>): R {
  try {
    steps.apply(outcome)
    return steps.proceed()
  } catch (error) {
    return steps.fail(error)
  }
}
