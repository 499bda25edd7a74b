/**
 * A bound on the upstream refresh calls that made-up refresh-tokens can cause, so an attacker
 * cannot make this process hammer the Frontend API (and get the project rate-limited there),
 * while returning users are never turned away for being many.
 *
 * What is budgeted is the refreshes Corbado *rejects* (401/403, or an answer that fails
 * verification), not the attempts: a legitimate refresh-token succeeds and gives its reservation
 * back, a made-up one spends it. A refresh-token that has refreshed successfully before is
 * "proven" and never limited. Every other call reserves one token, before it is sent, from a
 * per-client bucket (the verified user, `sub` of a signature-checked, possibly expired
 * session-token, when the request carries one, else the client's address, IPv6 grouped by /64)
 * and, without a verified user, from one global bucket, because addresses are cheap to vary.
 *
 * A reservation is held while the call is in flight, so the bound holds under a burst: with
 * `C` the capacity and `r` the refill rate of a bucket, the calls it admits in any `T` seconds
 * that Corbado rejects are at most `C + r × T`, however many are sent at once. A call that finds
 * budget left but all of it reserved by calls in flight waits for one of them to settle (up to
 * `maxWaitMs`) instead of being refused: that is a burst of returning users, not an attack.
 *
 * Memory is bounded: buckets and proven refresh-tokens (as hashes) live in bounded caches, and
 * at most {@link MAX_WAITING} calls wait at once.
 *
 * @module
 */
import { BoundedCache } from './bounded-cache.js'
import { clientGroupOf } from './client-group.js'
import { unrefTimer } from './unref-timer.js'

/** Settings of {@link RefreshLimiter}. */
export interface RefreshLimiterSettings {
  /** Rejected unproven calls one client may cause per minute; also its burst. */
  readonly perClientPerMinute: number
  /** Rejected unproven calls without a verified user, all clients together, per second. */
  readonly unprovenPerSecond: number
  /** The most clients and proven refresh-tokens remembered, each. */
  readonly maxEntries: number
  /** The longest a call waits for a reservation held by calls in flight, milliseconds. */
  readonly maxWaitMs: number
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

/**
 * How an upstream refresh ended, for the budget: `accepted` (a verified token), `rejected`
 * (401/403, or a token that failed verification), `inconclusive` (a transient failure, which
 * the circuit breaker bounds).
 */
export type RefreshVerdict = 'accepted' | 'rejected' | 'inconclusive'

/** A permission to make one upstream call. Settle it exactly once, in a `finally`. */
export interface RefreshPermit {
  settle(verdict: RefreshVerdict, now: number): void
}

/** A proven refresh-token stays proven this long after its last success, milliseconds. */
const PROVEN_TTL_MS = 24 * 60 * 60_000
/** The global bucket holds this many seconds' worth of rejections. */
export const GLOBAL_BURST_SECONDS = 5
/** The most calls waiting for a reservation at once; more are refused. */
export const MAX_WAITING = 1_000
/** A client bucket is kept this long after its last use: refilled by then, or still in flight. */
const CLIENT_BUCKET_TTL_MS = 2 * 60_000

interface Bucket {
  tokens: number
  updatedAt: number
  inFlight: number
}

interface Waiter {
  readonly caller: RefreshCaller
  readonly resolve: (permit: RefreshPermit | undefined) => void
  readonly timer: ReturnType<typeof setTimeout>
}

/** Token buckets over the rejections of unproven upstream refresh calls. */
export class RefreshLimiter {
  readonly #settings: RefreshLimiterSettings
  readonly #clients: BoundedCache<string, Bucket>
  readonly #proven: BoundedCache<string, true>
  readonly #global: Bucket
  readonly #waiting: Waiter[] = []

  constructor(settings: RefreshLimiterSettings, now: number) {
    this.#settings = settings
    this.#clients = new BoundedCache(settings.maxEntries)
    this.#proven = new BoundedCache(settings.maxEntries)
    this.#global = { tokens: this.#globalCapacity, updatedAt: now, inFlight: 0 }
  }

  /** Entries held: client buckets plus proven refresh-tokens. */
  get size(): number {
    return this.#clients.size + this.#proven.size
  }

  /**
   * Ask to make an upstream call for `caller` at `now` (ms). Resolves with a permit, or with
   * `undefined` when the caller's budget of rejections is spent (or no reservation came free
   * within `maxWaitMs`).
   */
  acquire(caller: RefreshCaller, now: number): Promise<RefreshPermit | undefined> {
    const verdict = this.#tryAcquire(caller, now)
    if (verdict !== 'wait') return Promise.resolve(verdict)
    if (this.#waiting.length >= MAX_WAITING) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      const waiter: Waiter = {
        caller,
        resolve,
        timer: setTimeout(() => {
          this.#dropWaiter(waiter)
          resolve(undefined)
        }, this.#settings.maxWaitMs),
      }
      unrefTimer(waiter.timer)
      this.#waiting.push(waiter)
    })
  }

  /**
   * A permit at once, for a caller whose session-token is still being verified: `claimedUser` is
   * the user the token claims to be, `verifiedUser` settles with the user it turns out to be.
   * There must be room at once both for an unverified caller and for the claimed user; once
   * `verifiedUser` settles, the permit keeps the reservation {@link acquire} would have made
   * (the claimed user's when verified as that user, else the unverified caller's) and gives the
   * other back. So it admits no call that `acquire` would not, and its verdict is charged where
   * acquire's would be. `undefined` when there is no room at once: then call `acquire`.
   */
  acquireWhileVerifying(
    caller: Omit<RefreshCaller, 'verifiedUser'>,
    claimedUser: string | undefined,
    verifiedUser: PromiseLike<string | undefined>,
    now: number,
  ): RefreshPermit | undefined {
    const unverified = this.#tryAcquire({ ...caller, verifiedUser: undefined }, now)
    if (unverified === undefined || unverified === 'wait') return undefined
    if (claimedUser === undefined) return unverified
    const claimed = this.#tryAcquire({ ...caller, verifiedUser: claimedUser }, now)
    if (claimed === undefined || claimed === 'wait') {
      unverified.settle('inconclusive', now)
      return undefined
    }
    const kept = Promise.resolve(verifiedUser).then(
      (user) => (user === claimedUser ? claimed : unverified),
      () => unverified,
    )
    void kept.then((keep) => {
      ;(keep === claimed ? unverified : claimed).settle('inconclusive', Date.now())
    })
    return {
      settle: (verdict, at) => {
        void kept.then((keep) => {
          keep.settle(verdict, at)
        })
      },
    }
  }

  get #globalCapacity(): number {
    return this.#settings.unprovenPerSecond * GLOBAL_BURST_SECONDS
  }

  #tryAcquire(caller: RefreshCaller, now: number): RefreshPermit | undefined | 'wait' {
    if (this.#proven.get(caller.refreshKeyId, now) !== undefined) {
      return this.#provenPermit(caller.refreshKeyId)
    }
    const { perClientPerMinute, unprovenPerSecond } = this.#settings
    const buckets: Bucket[] = []
    if (caller.verifiedUser === undefined) {
      refill(this.#global, unprovenPerSecond / 1000, this.#globalCapacity, now)
      // Refused before its client's bucket is made: calls from many addresses, all refused, would
      // otherwise push spent clients' buckets out of the bounded map, refilled.
      if (this.#global.tokens < 1) return undefined
      buckets.push(this.#global)
    }
    const key = this.#clientKeyOf(caller)
    if (key !== undefined) {
      const bucket = this.#clients.get(key, now) ?? {
        tokens: perClientPerMinute,
        updatedAt: now,
        inFlight: 0,
      }
      refill(bucket, perClientPerMinute / 60_000, perClientPerMinute, now)
      this.#clients.set(key, bucket, now + CLIENT_BUCKET_TTL_MS, now)
      buckets.push(bucket)
    }
    if (buckets.some((bucket) => bucket.tokens < 1)) return undefined
    if (buckets.some((bucket) => bucket.tokens - bucket.inFlight < 1)) return 'wait'
    for (const bucket of buckets) bucket.inFlight++
    return this.#unprovenPermit(caller.refreshKeyId, buckets)
  }

  #clientKeyOf(caller: RefreshCaller): string | undefined {
    if (caller.verifiedUser !== undefined) return `user:${caller.verifiedUser}`
    return caller.clientKey === undefined ? undefined : `client:${clientGroupOf(caller.clientKey)}`
  }

  #provenPermit(refreshKeyId: string): RefreshPermit {
    return {
      settle: (verdict, now) => {
        if (verdict === 'accepted') this.#proven.set(refreshKeyId, true, now + PROVEN_TTL_MS, now)
        // A session that ended (or answers that cannot be trusted) proves nothing any more; it
        // spends no budget, since it was a real session.
        else if (verdict === 'rejected') this.#proven.delete(refreshKeyId)
      },
    }
  }

  #unprovenPermit(refreshKeyId: string, buckets: readonly Bucket[]): RefreshPermit {
    let settled = false
    return {
      settle: (verdict, now) => {
        if (settled) return
        settled = true
        for (const bucket of buckets) {
          bucket.inFlight--
          if (verdict === 'rejected') bucket.tokens -= 1
        }
        if (verdict === 'accepted') this.#proven.set(refreshKeyId, true, now + PROVEN_TTL_MS, now)
        this.#wake(now)
      },
    }
  }

  /** Give every waiting call, oldest first, another look at the buckets. */
  #wake(now: number): void {
    for (const waiter of [...this.#waiting]) {
      const verdict = this.#tryAcquire(waiter.caller, now)
      if (verdict === 'wait') continue
      this.#dropWaiter(waiter)
      clearTimeout(waiter.timer)
      waiter.resolve(verdict)
    }
  }

  #dropWaiter(waiter: Waiter): void {
    const index = this.#waiting.indexOf(waiter)
    if (index !== -1) this.#waiting.splice(index, 1)
  }
}

/** Refill `bucket` at `perMs` up to `capacity`. */
function refill(bucket: Bucket, perMs: number, capacity: number, now: number): void {
  const elapsed = Math.max(0, now - bucket.updatedAt)
  bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * perMs)
  bucket.updatedAt = now
}
