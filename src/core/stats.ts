/**
 * Counters of what the keep-alive did, for dashboards and the demo page.
 *
 * @module
 */
import type { CircuitState } from './circuit-breaker.js'
import { REFRESH_FAILURE_REASONS } from './errors.js'
import type { RefreshFailureReason } from './errors.js'
import { DurationHistogram } from './telemetry/duration-histogram.js'
import type { DurationHistogramSnapshot } from './telemetry/duration-histogram.js'

/** A snapshot of a keep-alive's counters since it was created. */
export interface KeepAliveStats {
  /** Upstream refresh calls this process made. */
  readonly upstreamRefreshes: number
  /** Requests that received a refreshed session-token. */
  readonly refreshes: number
  /** Of those, requests that reused a refresh made by another request or instance. */
  readonly coalesced: number
  /** Requests served fail-open after a transient failure, by reason. */
  readonly failures: Readonly<Record<RefreshFailureReason, number>>
  /** Requests whose session the Frontend API ended (401/403). */
  readonly sessionsEnded: number
  /** The verified-token cache: lookups on the hot path that hit and missed, and its size. */
  readonly verifiedTokenCache: {
    readonly hits: number
    readonly misses: number
    /** `hits / (hits + misses)`, 0 before the first lookup. */
    readonly hitRate: number
    readonly size: number
  }
  /** The refresh circuit breaker's state. */
  readonly circuit: CircuitState
  /** Durations of this process's upstream refresh calls, each with the check of its token. */
  readonly refreshDuration: DurationHistogramSnapshot
}

/** Mutable counters behind {@link KeepAliveStats}. */
export interface StatsCounters {
  upstreamCall(): void
  refreshed(coalesced: boolean): void
  failure(reason: RefreshFailureReason): void
  sessionEnded(): void
  /** An upstream refresh call took `seconds`. */
  upstreamDuration(seconds: number): void
  snapshot(
    cache: { hits: number; misses: number; size: number },
    circuit: CircuitState,
  ): KeepAliveStats
}

/** Create zeroed {@link StatsCounters}. */
export function createStats(): StatsCounters {
  let upstreamRefreshes = 0
  let refreshes = 0
  let coalesced = 0
  let sessionsEnded = 0
  const refreshDuration = new DurationHistogram()
  const failures = Object.fromEntries(
    REFRESH_FAILURE_REASONS.map((reason) => [reason, 0]),
  ) as Record<RefreshFailureReason, number>
  return {
    upstreamCall: () => {
      upstreamRefreshes++
    },
    refreshed: (wasCoalesced) => {
      refreshes++
      if (wasCoalesced) coalesced++
    },
    failure: (reason) => {
      failures[reason]++
    },
    sessionEnded: () => {
      sessionsEnded++
    },
    upstreamDuration: (seconds) => {
      refreshDuration.record(seconds)
    },
    snapshot: (cache, circuit) => {
      const lookups = cache.hits + cache.misses
      return {
        upstreamRefreshes,
        refreshes,
        coalesced,
        failures: { ...failures },
        sessionsEnded,
        verifiedTokenCache: { ...cache, hitRate: lookups === 0 ? 0 : cache.hits / lookups },
        circuit,
        refreshDuration: refreshDuration.snapshot(),
      }
    },
  }
}
