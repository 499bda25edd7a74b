/**
 * The coordinator interface: how concurrent requests for one refresh-token agree on a single
 * upstream refresh. {@link MemoryCoordinator} coordinates within one process; the Redis
 * coordinator (`corbado-keepalive/redis`) across instances.
 *
 * @module
 */
import type { RefreshFailureReason } from './errors.js'

/** The result of one upstream refresh, in a form that can be shared between requests. */
export type SharedRefreshResult =
  | {
      readonly kind: 'refreshed'
      /**
       * The new session-token, as the Frontend API returned it. It may not be verified yet (its
       * keys could not be had in time): a coordinator stores and hands it out, never decodes or
       * trusts it; the keep-alive verifies it before each use.
       */
      readonly sessionToken: string
      /**
       * When the new token expires, ms since the epoch; unverified as the token may be, it only
       * shortens reuse. A coordinator never hands the result out after this (less a second's
       * margin), however long its own reuse period.
       */
      readonly expiresAtMs?: number
    }
  | { readonly kind: 'ended'; readonly status: number }
  | { readonly kind: 'failed'; readonly reason: RefreshFailureReason }

/** Margin before a token's expiry after which a coordinator stops reusing it, ms. */
export const REUSE_MARGIN_MS = 1000

/**
 * How long `result` may be reused from `now`: `ttlMs`, but never past the new token's expiry
 * (less {@link REUSE_MARGIN_MS}). Zero or less means: do not keep it.
 */
export function reuseTtl(result: SharedRefreshResult, ttlMs: number, now: number): number {
  if (result.kind !== 'refreshed' || result.expiresAtMs === undefined) return ttlMs
  return Math.min(ttlMs, result.expiresAtMs - REUSE_MARGIN_MS - now)
}

/** A {@link SharedRefreshResult} as one request received it. */
export type CoordinatedRefreshResult = SharedRefreshResult & {
  /** `true` when the caller reused the result of a refresh it did not run itself. */
  readonly coalesced: boolean
}

/** Identifies one refresh-token to a coordinator. */
export interface RefreshKey {
  /**
   * A hash of the refresh-token (SHA-256, base64url). Safe to use as a map or Redis key and to
   * log; the refresh-token itself is never a key.
   */
  readonly id: string
  /**
   * The refresh-token itself. A coordinator may use it only to derive an encryption key for what
   * it stores; it must never store, log or send it.
   */
  readonly refreshToken: string
}

/**
 * Decides which caller runs the upstream refresh for a refresh-token, and hands its result to
 * every concurrent caller and to callers arriving shortly after.
 */
export interface RefreshCoordinator {
  /**
   * Resolve with the result of `refresh` for `key`, running `refresh` at most once for concurrent
   * callers. Must never reject for a reason of its own: a coordinator that cannot coordinate runs
   * `refresh` itself. If `refresh` rejects (the keep-alive's never does), the callers sharing that
   * attempt receive its rejection and nothing is reused.
   */
  coordinate(
    key: RefreshKey,
    refresh: () => Promise<SharedRefreshResult>,
  ): Promise<CoordinatedRefreshResult>
}
