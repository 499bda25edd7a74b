/**
 * Every error this package creates is a {@link KeepAliveError} with a stable `code`, so callers
 * can `switch (error.code)`. Messages name the option or the component at fault and never contain
 * a token or refresh-token value.
 *
 * @module
 */

/** The stable codes of {@link KeepAliveError}. */
export type KeepAliveErrorCode =
  | 'ERR_KEEPALIVE_INVALID_OPTION'
  | 'ERR_KEEPALIVE_REFRESH_FAILED'
  | 'ERR_KEEPALIVE_HOOK_FAILED'
  | 'ERR_KEEPALIVE_COORDINATOR_FAILED'

/** Base class of every error thrown or reported by corbado-keepalive. */
export class KeepAliveError extends Error {
  /** Stable, machine-readable code. */
  readonly code: KeepAliveErrorCode

  constructor(code: KeepAliveErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/**
 * An option passed to a factory is missing, of the wrong type, out of range or unknown.
 * Thrown at construction, never per request.
 */
export class InvalidOptionError extends KeepAliveError {
  /** The option's path, e.g. `"refreshTimeoutMs"` or `"cookie.sameSite"`. */
  readonly option: string
  /** What is wrong, without the option's name, e.g. `"must be an integer from 1 to 60000"`. */
  readonly reason: string
  /**
   * The value received, described safely and briefly (see {@link describeReceived}), e.g.
   * `'"3s"'` or `'a function'`; `undefined` when the message shows no value (an unknown option,
   * or a value that may hold a credential).
   */
  readonly received: string | undefined

  /**
   * @param received - the value received, when it is safe to show; omit it otherwise. Only its
   *   description is kept.
   */
  constructor(option: string, reason: string, ...received: [value?: unknown]) {
    const shown = received.length > 0 ? describeReceived(received[0]) : undefined
    super(
      'ERR_KEEPALIVE_INVALID_OPTION',
      `corbado-keepalive: "${option}" ${reason}${shown === undefined ? '' : `, got ${shown}`}`,
    )
    this.option = option
    this.reason = reason
    this.received = shown
  }
}

const MAX_SHOWN_LENGTH = 40

/**
 * A short, safe description of a value for an error message: JSON for a string (cut at 40
 * characters), a number or a boolean; the type for anything else (`a function`, `an object`), so
 * no object's content reaches a message.
 */
export function describeReceived(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      const cut = value.length > MAX_SHOWN_LENGTH ? `${value.slice(0, MAX_SHOWN_LENGTH)}…` : value
      return JSON.stringify(cut)
    }
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value)
    case 'bigint':
      return `${value}n`
    case 'function':
      return 'a function'
    case 'symbol':
      return 'a symbol'
    default:
      if (value === null) return 'null'
      return Array.isArray(value) ? 'an array' : 'an object'
  }
}

/**
 * Why a refresh failed without ending the session. All of these are transient: the request is
 * served ("fail open") and a later request tries again.
 *
 * - `network`: the Frontend API could not be reached (DNS, refused, reset).
 * - `timeout`: no answer within `refreshTimeoutMs`.
 * - `rate-limited`: the Frontend API answered 429.
 * - `upstream-error`: the Frontend API answered 5xx.
 * - `unexpected-status`: any other status that is neither 200 nor 401/403 (e.g. 400 for a wrong
 *   project ID, which is a misconfiguration worth an alert).
 * - `bad-response`: 200 with a body that is not JSON or carries no token.
 * - `unverifiable-token`: the new token failed verification (signature, issuer, expiry).
 * - `subject-mismatch`: the new token is valid but belongs to another user than the session-token
 *   the request presented (e.g. a refresh-token cookie of another account, tossed in from a
 *   sibling subdomain). The request keeps its own session or is served anonymous; the result is
 *   still given to requests of the refresh-token's owner. Not counted by the circuit breaker.
 * - `circuit-open`: refreshes are paused after repeated failures; nothing was sent.
 * - `throttled`: the refresh-token has not refreshed successfully before and its client (or all
 *   such clients together) used up `refreshRateLimit`'s budget of rejected refreshes; nothing
 *   was sent.
 * - `coordinator-error`: the `coordinator` threw or rejected (a bug in it: coordinators must
 *   fall back to refreshing themselves); reported once per request to `logger` and `onError`.
 */
export type RefreshFailureReason =
  | 'network'
  | 'timeout'
  | 'rate-limited'
  | 'upstream-error'
  | 'unexpected-status'
  | 'bad-response'
  | 'unverifiable-token'
  | 'subject-mismatch'
  | 'circuit-open'
  | 'throttled'
  | 'coordinator-error'

/** All {@link RefreshFailureReason} values, in a stable order (for stats and docs). */
export const REFRESH_FAILURE_REASONS: readonly RefreshFailureReason[] = Object.freeze([
  'network',
  'timeout',
  'rate-limited',
  'upstream-error',
  'unexpected-status',
  'bad-response',
  'unverifiable-token',
  'subject-mismatch',
  'circuit-open',
  'throttled',
  'coordinator-error',
])

/** A refresh failed transiently; the session was kept (fail open). Reported to `onError`. */
export class RefreshFailedError extends KeepAliveError {
  /** Why the refresh failed. */
  readonly reason: RefreshFailureReason
  /** The Frontend API's HTTP status, when it answered. */
  readonly status: number | undefined

  constructor(
    reason: RefreshFailureReason,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(
      'ERR_KEEPALIVE_REFRESH_FAILED',
      `corbado-keepalive: refresh failed (${reason}): ${message}`,
      {
        cause: options?.cause,
      },
    )
    this.reason = reason
    this.status = options?.status
  }
}

/** A user-supplied hook (`onRefresh`, `onSessionEnded`, `getRefreshToken`, …) threw. */
export class HookFailedError extends KeepAliveError {
  /** The hook's option name. */
  readonly hook: string

  constructor(hook: string, cause: unknown) {
    super('ERR_KEEPALIVE_HOOK_FAILED', `corbado-keepalive: the "${hook}" hook threw`, { cause })
    this.hook = hook
  }
}
