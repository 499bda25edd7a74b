/**
 * In-process single-flight: one upstream refresh per refresh-token at a time, its result reused
 * for a few seconds by the requests that arrive meanwhile (parallel requests, tabs, retries).
 *
 * @module
 */
import { BoundedCache } from './bounded-cache.js'
import { reuseTtl } from './coordinator.js'
import type {
  CoordinatedRefreshResult,
  RefreshCoordinator,
  RefreshKey,
  SharedRefreshResult,
} from './coordinator.js'
import { positiveInteger } from './validate.js'

/** Options of {@link MemoryCoordinator}. */
export interface MemoryCoordinatorOptions {
  /**
   * How long a finished refresh's result is reused for the same refresh-token, milliseconds;
   * never past the new token's expiry. Failures are never reused. Default `5000`.
   */
  resultTtlMs?: number
  /** The most results remembered at once; the oldest go first. Default `10000`. */
  maxEntries?: number
}

/** Coordinates the refreshes of one process. The default coordinator. */
export class MemoryCoordinator implements RefreshCoordinator {
  readonly #inFlight = new Map<string, Promise<SharedRefreshResult>>()
  readonly #results: BoundedCache<string, SharedRefreshResult>
  readonly #resultTtlMs: number

  constructor(options: MemoryCoordinatorOptions = {}) {
    this.#resultTtlMs = positiveInteger('resultTtlMs', options.resultTtlMs, 5000)
    this.#results = new BoundedCache(positiveInteger('maxEntries', options.maxEntries, 10_000))
  }

  /** Number of refreshes running now. */
  get inFlight(): number {
    return this.#inFlight.size
  }

  async coordinate(
    key: RefreshKey,
    refresh: () => Promise<SharedRefreshResult>,
  ): Promise<CoordinatedRefreshResult> {
    const reused = this.#results.get(key.id, Date.now())
    if (reused !== undefined) return { ...reused, coalesced: true }

    const running = this.#inFlight.get(key.id)
    if (running !== undefined) return { ...(await running), coalesced: true }

    const started = this.#run(key.id, refresh)
    this.#inFlight.set(key.id, started)
    return { ...(await started), coalesced: false }
  }

  async #run(
    id: string,
    refresh: () => Promise<SharedRefreshResult>,
  ): Promise<SharedRefreshResult> {
    try {
      const result = await refresh()
      const now = Date.now()
      const ttl = reuseTtl(result, this.#resultTtlMs, now)
      if (result.kind !== 'failed' && ttl > 0) this.#results.set(id, result, now + ttl, now)
      return result
    } finally {
      this.#inFlight.delete(id)
    }
  }
}
