/**
 * A bound on upstream refresh calls, so that an attacker who sends many made-up refresh-tokens
 * cannot make this process hammer the Frontend API (and get the project rate-limited there).
 *
 * Only upstream calls are limited, never requests: the requests of one session share one call
 * (the coordinator), so a legitimate burst costs one token. A refresh-token that has refreshed
 * successfully before is "proven" and never limited. Every other call draws from a per-client
 * bucket: the client is the verified user (`sub` of a signature-checked, possibly expired
 * session-token) when the request carries one, else the client's address. Calls without a
 * verified user also draw from one global bucket, because addresses are cheap to vary.
 *
 * Memory is bounded: buckets and proven refresh-tokens (as hashes) live in bounded caches.
 *
 * @module
 */
import { BoundedCache } from './bounded-cache.js'

/** Settings of {@link RefreshLimiter}. */
export interface RefreshLimiterSettings {
  /** Unproven upstream calls one client may make per minute (also its burst). */
  readonly perClientPerMinute: number
  /** Unproven upstream calls without a verified user, all clients together, per second. */
  readonly unprovenPerSecond: number
  /** The most clients and proven refresh-tokens remembered, each. */
  readonly maxEntries: number
}

/** Who asks for an upstream refresh. */
export interface RefreshCaller {
  /** The hash of the refresh-token ({@link RefreshKey.id}). */
  readonly refreshKeyId: string
  /** The `sub` of a signature-verified session-token on the request, if any. */
  readonly verifiedUser: string | undefined
  /** The client's address (or whatever `clientKey` returned), if known. */
  readonly clientKey: string | undefined
}

/** A proven refresh-token stays proven this long after its last success, milliseconds. */
const PROVEN_TTL_MS = 24 * 60 * 60_000
/** The global bucket holds this many seconds' worth of calls, for a legitimate morning rush. */
const GLOBAL_BURST_SECONDS = 5

interface Bucket {
  tokens: number
  updatedAt: number
}

/** Token buckets over unproven upstream refresh calls. */
export class RefreshLimiter {
  readonly #settings: RefreshLimiterSettings
  readonly #clients: BoundedCache<string, Bucket>
  readonly #proven: BoundedCache<string, true>
  readonly #global: Bucket

  constructor(settings: RefreshLimiterSettings, now: number) {
    this.#settings = settings
    this.#clients = new BoundedCache(settings.maxEntries)
    this.#proven = new BoundedCache(settings.maxEntries)
    this.#global = { tokens: settings.unprovenPerSecond * GLOBAL_BURST_SECONDS, updatedAt: now }
  }

  /** Entries held: client buckets plus proven refresh-tokens. */
  get size(): number {
    return this.#clients.size + this.#proven.size
  }

  /** May `caller` make an upstream call at `now` (ms)? Takes a token when it may. */
  tryAcquire(caller: RefreshCaller, now: number): boolean {
    if (this.#proven.get(caller.refreshKeyId, now) !== undefined) return true
    const { perClientPerMinute, unprovenPerSecond } = this.#settings
    const viaGlobal = caller.verifiedUser === undefined
    const globalCapacity = unprovenPerSecond * GLOBAL_BURST_SECONDS
    if (viaGlobal && !refill(this.#global, unprovenPerSecond / 1000, globalCapacity, now)) {
      return false
    }
    const key = viaGlobal
      ? caller.clientKey === undefined
        ? undefined
        : `client:${caller.clientKey}`
      : `user:${caller.verifiedUser}`
    if (key !== undefined) {
      const bucket = this.#clients.get(key, now) ?? { tokens: perClientPerMinute, updatedAt: now }
      if (!refill(bucket, perClientPerMinute / 60_000, perClientPerMinute, now)) return false
      bucket.tokens -= 1
      // A bucket refills completely within a minute; after that it is as good as a new one.
      this.#clients.set(key, bucket, now + 60_000, now)
    }
    if (viaGlobal) this.#global.tokens -= 1
    return true
  }

  /** The refresh-token with hash `refreshKeyId` refreshed successfully: never limit it. */
  recordSuccess(refreshKeyId: string, now: number): void {
    this.#proven.set(refreshKeyId, true, now + PROVEN_TTL_MS, now)
  }

  /** The refresh-token was rejected (401/403): it is no longer proven. */
  recordEnded(refreshKeyId: string): void {
    this.#proven.delete(refreshKeyId)
  }
}

/** Refill `bucket` at `perMs` up to `capacity`, and tell whether a whole token is there. */
function refill(bucket: Bucket, perMs: number, capacity: number, now: number): boolean {
  const elapsed = Math.max(0, now - bucket.updatedAt)
  bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * perMs)
  bucket.updatedAt = now
  return bucket.tokens >= 1
}
