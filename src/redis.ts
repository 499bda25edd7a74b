/**
 * `corbado-keepalive/redis`: coordinate refreshes across app instances through Redis, so that
 * one browser's parallel requests landing on different instances cost one upstream refresh.
 *
 * ```ts
 * import Redis from 'ioredis'
 * import { RedisCoordinator } from 'corbado-keepalive/redis'
 *
 * const coordinator = new RedisCoordinator({ redis: new Redis(process.env.REDIS_URL) })
 * app.use(corbadoKeepAlive({ projectId, coordinator }))
 * ```
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import type {
  CoordinatedRefreshResult,
  RefreshCoordinator,
  RefreshKey,
  SharedRefreshResult,
} from './core/coordinator.js'
import { reuseTtl } from './core/coordinator.js'
import { startDeadline, TIMED_OUT } from './core/deadline.js'
import { MemoryCoordinator } from './core/memory-coordinator.js'
import { scriptRunnerOf } from './redis/client.js'
import type { ScriptRunner } from './redis/client.js'
import { describeProblem, RedisHealth } from './redis/health.js'
import { REDIS_DEFAULTS, resolveRedisOptions } from './redis/options.js'
import type { RedisCoordinatorOptions, ResolvedRedisOptions } from './redis/options.js'
import { ACQUIRE, keysOf, parseAcquireReply, PUBLISH, RELEASE } from './redis/protocol.js'
import type { AcquireReply, ProtocolKeys } from './redis/protocol.js'
import { sealerOf } from './redis/seal.js'
import { restoreFastStringPrototype } from './redis/string-prototype.js'
import type { Sealer } from './redis/seal.js'

export { REDIS_DEFAULTS }
export type { RedisCoordinatorOptions }
export type { IORedisLike, NodeRedisLike, RedisClientLike } from './redis/client.js'

/** How often a waiting instance looks for the leader's result, milliseconds. */
const POLL_INTERVAL_MS = 25
/** The longest a transient failure is kept for requests arriving after it, milliseconds. */
const FAILURE_TTL_MS = 500

const WAIT_TIMED_OUT: CoordinatedRefreshResult = Object.freeze({
  kind: 'failed',
  reason: 'timeout',
  coalesced: true,
})

/** A Redis command did not answer within `commandTimeoutMs`. */
class CommandTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`)
    this.name = 'CommandTimeout'
  }
}

/** Redis answered something the protocol does not produce. */
class UnexpectedReply extends Error {
  constructor() {
    super('unexpected reply to the coordination script')
    this.name = 'UnexpectedReply'
  }
}

/**
 * Coordinates refreshes across app instances through Redis: for each refresh-token, one request
 * in one instance (the leader, elected with `SET NX PX`) calls the Frontend API; every other
 * request, in any instance, waits for its result (polling every 25 ms, at most `waitTimeoutMs`)
 * and reuses it for `resultTtlMs`. A rejected session (401/403) is shared the same way; a
 * transient failure with the requests already waiting for it and those arriving within 500 ms
 * (at most `resultTtlMs`). If the leader's instance dies,
 * its lock expires after `lockTtlMs` and a waiting instance takes over.
 *
 * Within one instance, concurrent requests for a refresh-token share one Redis conversation.
 *
 * What is stored: per refresh-token, under `<keyPrefix>{<SHA-256 of the refresh-token>}`, a lock
 * (a random owner id) and the result, encrypted with AES-256-GCM under a key derived (HKDF) from
 * the refresh-token. Neither tokens nor user ids are stored in the clear. A value that does not
 * decrypt is treated as absent.
 *
 * Failure behaviour: when Redis is unreachable, slow (over `commandTimeoutMs`) or erroring, the
 * coordinator falls back to in-process coordination (a {@link MemoryCoordinator}) and retries
 * Redis a second later; it logs a warning at most every 30 seconds. Requests are never failed
 * or held up longer than `commandTimeoutMs` by Redis.
 *
 * `coordinate` never rejects for a reason of its own. If `refresh` rejects (the keep-alive's
 * never does), the requests sharing that attempt receive that rejection and nothing is stored,
 * as with {@link MemoryCoordinator}.
 *
 * No connection is opened and nothing needs closing: the coordinator only sends `EVAL` on the
 * client it is given. Attach an `'error'` listener to that client as usual.
 */
export class RedisCoordinator implements RefreshCoordinator {
  readonly #options: ResolvedRedisOptions
  readonly #redis: ScriptRunner
  readonly #health: RedisHealth
  readonly #memory: MemoryCoordinator
  readonly #inFlight = new Map<string, Promise<CoordinatedRefreshResult>>()

  /**
   * @throws {InvalidOptionError} when an option is missing, invalid or unknown.
   */
  constructor(options: RedisCoordinatorOptions) {
    this.#options = resolveRedisOptions(options)
    this.#redis = scriptRunnerOf(this.#options.redis)
    this.#health = new RedisHealth(this.#options.logger, this.#options.keyPrefix)
    this.#memory = new MemoryCoordinator({ resultTtlMs: this.#options.resultTtlMs })
    // The app loaded ioredis to make the client it passes: its slow `String.prototype` is undone.
    restoreFastStringPrototype()
  }

  /** Number of refresh-tokens this instance is coordinating through Redis right now. */
  get inFlight(): number {
    return this.#inFlight.size
  }

  /** Resolve with the shared result of `refresh` for `key`; see {@link RedisCoordinator}. */
  coordinate(
    key: RefreshKey,
    refresh: () => Promise<SharedRefreshResult>,
  ): Promise<CoordinatedRefreshResult> {
    const running = this.#inFlight.get(key.id)
    if (running !== undefined) return this.#join(running)
    if (!this.#redisUsable()) return this.#memory.coordinate(key, refresh)
    const flight = this.#fly(key, refresh)
    this.#track(key.id, flight)
    return flight
  }

  #redisUsable(): boolean {
    const now = Date.now()
    if (!this.#health.usable(now)) return false
    if (!this.#redis.knownDown()) return true
    this.#health.failed('the Redis client is not connected', now)
    return false
  }

  /** Wait, at most `waitTimeoutMs`, for a flight another request of this instance started. */
  async #join(flight: Promise<CoordinatedRefreshResult>): Promise<CoordinatedRefreshResult> {
    const deadline = startDeadline(this.#options.waitTimeoutMs)
    try {
      const result = await deadline.race(flight)
      return result === TIMED_OUT ? WAIT_TIMED_OUT : { ...result, coalesced: true }
    } finally {
      deadline.clear()
    }
  }

  #track(id: string, flight: Promise<CoordinatedRefreshResult>): void {
    this.#inFlight.set(id, flight)
    const forget = () => {
      clearTimeout(guard)
      if (this.#inFlight.get(id) === flight) this.#inFlight.delete(id)
    }
    // A leader whose refresh never settles has lost its lock after lockTtlMs; from then on a new
    // request of this instance may take over instead of joining it.
    const guard = setTimeout(forget, this.#options.lockTtlMs)
    guard.unref()
    flight.then(forget, forget)
  }

  /** One Redis conversation for `key`: read the result, lead, or wait for the leader. */
  async #fly(
    key: RefreshKey,
    refresh: () => Promise<SharedRefreshResult>,
  ): Promise<CoordinatedRefreshResult> {
    const o = this.#options
    const keys = keysOf(o.keyPrefix, key.id)
    const owner = randomBytes(16).toString('base64url')
    const giveUpAt = Date.now() + o.waitTimeoutMs
    let sealer: Sealer
    try {
      sealer = sealerOf(key, o.keyPrefix)
    } catch (error) {
      this.#health.failed(describeProblem(error), Date.now())
      return this.#memory.coordinate(key, refresh)
    }

    let readResult = true
    for (;;) {
      let reply: AcquireReply | undefined
      try {
        const raw = await this.#command(
          ACQUIRE,
          [keys.result, keys.lock],
          [owner, String(o.lockTtlMs), readResult ? '1' : '0'],
        )
        reply = parseAcquireReply(raw)
        if (reply === undefined) throw new UnexpectedReply()
      } catch (error) {
        this.#health.failed(describeProblem(error), Date.now())
        // The script may still run once Redis answers: give back the lock it would take.
        if (error instanceof CommandTimeout) this.#background(RELEASE, [keys.lock], [owner])
        return this.#memory.coordinate(key, refresh)
      }

      if (reply.kind === 'leader') return this.#lead(keys, owner, sealer, refresh)
      if (reply.kind === 'result') {
        const result = sealer.open(reply.value)
        if (result !== undefined) return { ...result, coalesced: true }
        // Unreadable (corrupt, or sealed by an incompatible version): as if absent.
        readResult = false
        continue
      }
      readResult = true
      const remaining = giveUpAt - Date.now()
      if (remaining <= 0) return WAIT_TIMED_OUT
      await sleep(Math.min(POLL_INTERVAL_MS, remaining))
    }
  }

  async #lead(
    keys: ProtocolKeys,
    owner: string,
    sealer: Sealer,
    refresh: () => Promise<SharedRefreshResult>,
  ): Promise<CoordinatedRefreshResult> {
    let result: SharedRefreshResult
    try {
      result = await refresh()
    } catch (error) {
      this.#background(RELEASE, [keys.lock], [owner])
      throw error
    }
    const ttl =
      result.kind === 'failed'
        ? Math.min(FAILURE_TTL_MS, this.#options.resultTtlMs)
        : // Redis needs a positive PX; a token about to expire is kept for a moment only.
          Math.max(1, reuseTtl(result, this.#options.resultTtlMs, Date.now()))
    try {
      await this.#command(
        PUBLISH,
        [keys.result, keys.lock],
        [owner, sealer.seal(result), String(ttl)],
      )
    } catch (error) {
      // The result is in hand; waiting instances fall back or take over when the lock expires.
      this.#health.failed(describeProblem(error), Date.now())
    }
    return { ...result, coalesced: false }
  }

  /** Run a script, bounded by `commandTimeoutMs`. */
  async #command(script: string, keys: string[], args: string[]): Promise<unknown> {
    const deadline = startDeadline(this.#options.commandTimeoutMs)
    try {
      const pending = this.#evaluate(script, keys, args)
      const reply = await deadline.race(pending)
      if (reply === TIMED_OUT) throw new CommandTimeout(this.#options.commandTimeoutMs)
      this.#health.succeeded()
      return reply
    } finally {
      deadline.clear()
    }
  }

  /** Run a script without waiting for it; its outcome does not matter to any request. */
  #background(script: string, keys: string[], args: string[]): void {
    void this.#evaluate(script, keys, args)
  }

  /** The script's reply; a rejection is observed even if nobody awaits it any more. */
  #evaluate(script: string, keys: string[], args: string[]): Promise<unknown> {
    let pending: Promise<unknown>
    try {
      pending = this.#redis.evaluate(script, keys, args)
    } catch (error) {
      pending = Promise.reject(error instanceof Error ? error : new Error(describeProblem(error)))
    }
    pending.catch(() => undefined)
    return pending
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms).unref()
  })
}
