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
  | { readonly kind: 'refreshed'; readonly sessionToken: string }
  | { readonly kind: 'ended'; readonly status: number }
  | { readonly kind: 'failed'; readonly reason: RefreshFailureReason }

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
