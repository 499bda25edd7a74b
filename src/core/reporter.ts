/**
 * Observability plumbing of the keep-alive: the logger, the user's hooks and `onError`. A hook or
 * logger that throws never breaks a request; what they are given never contains a token.
 *
 * @module
 */
import { HookFailedError, RefreshFailedError } from './errors.js'
import type { KeepAliveError } from './errors.js'
import type { Logger } from './types.js'

/** Logs, calls hooks and reports errors, each safely. */
export interface Reporter {
  /** Log at `level` if the logger has it. */
  readonly log: (level: keyof Logger, context: Record<string, unknown>, message: string) => void
  /** Call the user's hook `name` with `event`; a throw is reported, not raised. */
  readonly hook: <E>(name: string, fn: ((event: E) => void) | undefined, event: E) => void
  /** Log `error` and hand it to `onError`. */
  readonly report: (error: KeepAliveError) => void
  /** Run the user's function `name`; a throw is reported and `fallback` returned. */
  readonly guard: <T>(name: string, fn: () => T, fallback: T) => T
}

/** Create a {@link Reporter} over the options' `logger` and `onError`. */
export function createReporter(
  logger: Logger | undefined,
  onError: ((error: KeepAliveError) => void) | undefined,
): Reporter {
  function log(level: keyof Logger, context: Record<string, unknown>, message: string): void {
    if (logger === undefined) return
    try {
      logger[level]?.call(logger, context, message)
    } catch {
      // A broken logger must not break requests.
    }
  }

  function report(error: KeepAliveError): void {
    const refreshFailure = error instanceof RefreshFailedError
    log(
      refreshFailure ? 'warn' : 'error',
      {
        code: error.code,
        ...(refreshFailure ? { reason: error.reason, status: error.status } : {}),
      },
      error.message,
    )
    if (onError === undefined) return
    try {
      onError(error)
    } catch (hookError) {
      log(
        'error',
        { code: 'ERR_KEEPALIVE_HOOK_FAILED', hook: 'onError', error: describe(hookError) },
        'corbado-keepalive: the "onError" hook threw',
      )
    }
  }

  return {
    log,
    report,
    hook(name, fn, event) {
      if (fn === undefined) return
      try {
        fn(event)
      } catch (error) {
        report(new HookFailedError(name, error))
      }
    },
    guard(name, fn, fallback) {
      try {
        return fn()
      } catch (error) {
        report(new HookFailedError(name, error))
        return fallback
      }
    },
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.name : typeof error
}
