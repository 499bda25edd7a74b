/**
 * The keep-alive's OpenTelemetry metrics. Counters, the circuit gauge and the cache lookups are
 * observable instruments read from each keep-alive's `stats()` when the SDK collects, so a
 * request pays nothing for them; only the refresh-duration histogram is recorded as it happens,
 * once per upstream call. Instruments are created once per meter and sum every live keep-alive
 * of the process, so two keep-alives never overwrite each other's points.
 *
 * @module
 */
import type { Histogram, Meter } from '@opentelemetry/api'
import { REFRESH_FAILURE_REASONS } from '../errors.js'
import type { KeepAliveStats } from '../stats.js'
import type { OpenTelemetry } from './load-opentelemetry.js'
import { ATTRIBUTE, DURATION_BUCKETS_SECONDS, INSTRUMENTATION_SCOPE, METRIC } from './names.js'

/** Something whose counters the metrics read: one per keep-alive. */
export interface MetricSource {
  stats(): KeepAliveStats
}

const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const

// Weakly held: a keep-alive that is no longer used stops being observed and can be collected.
const sources = new Set<WeakRef<MetricSource>>()
const histograms = new WeakMap<Meter, Histogram>()

/**
 * Observe `source` through the global meter provider's meter, and return the histogram to
 * record refresh durations in.
 */
export function observeMetrics(api: OpenTelemetry, source: MetricSource): Histogram {
  sources.add(new WeakRef(source))
  const meter = api.metrics.getMeter(INSTRUMENTATION_SCOPE)
  const known = histograms.get(meter)
  if (known !== undefined) return known
  const histogram = meter.createHistogram(METRIC.refreshDuration, {
    description: 'Duration of upstream refresh calls, with the verification of the new token.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] },
  })
  histograms.set(meter, histogram)
  createObservables(meter)
  return histogram
}

function createObservables(meter: Meter): void {
  const refreshes = meter.createObservableCounter(METRIC.refreshes, {
    description: 'Requests that needed a refresh, by outcome and failure reason.',
    unit: '{request}',
  })
  const coalesced = meter.createObservableCounter(METRIC.coalesced, {
    description: 'Requests that received a refresh another request or instance made.',
    unit: '{request}',
  })
  const ended = meter.createObservableCounter(METRIC.sessionsEnded, {
    description: 'Requests whose session the Frontend API ended (401/403).',
    unit: '{request}',
  })
  const circuit = meter.createObservableGauge(METRIC.circuitState, {
    description: 'Keep-alives whose refresh circuit is in the given state.',
    unit: '{keepalive}',
  })
  const lookups = meter.createObservableCounter(METRIC.tokenCacheLookups, {
    description: 'Hot-path lookups of the verified-token cache, by result.',
    unit: '{lookup}',
  })
  meter.addBatchObservableCallback(
    (observer) => {
      const total = sum(liveStats())
      observer.observe(refreshes, total.refreshed, { [ATTRIBUTE.outcome]: 'refreshed' })
      observer.observe(refreshes, total.ended, { [ATTRIBUTE.outcome]: 'ended' })
      for (const reason of REFRESH_FAILURE_REASONS) {
        observer.observe(refreshes, total.failures[reason], {
          [ATTRIBUTE.outcome]: 'failed',
          [ATTRIBUTE.errorType]: reason,
        })
      }
      observer.observe(coalesced, total.coalesced)
      observer.observe(ended, total.ended)
      for (const state of CIRCUIT_STATES) {
        observer.observe(circuit, total.circuit[state], { [ATTRIBUTE.circuitState]: state })
      }
      observer.observe(lookups, total.hits, { [ATTRIBUTE.cacheResult]: 'hit' })
      observer.observe(lookups, total.misses, { [ATTRIBUTE.cacheResult]: 'miss' })
    },
    [refreshes, coalesced, ended, circuit, lookups],
  )
}

function liveStats(): KeepAliveStats[] {
  const all: KeepAliveStats[] = []
  for (const ref of sources) {
    const source = ref.deref()
    if (source === undefined) sources.delete(ref)
    else all.push(source.stats())
  }
  return all
}

function sum(all: readonly KeepAliveStats[]) {
  const total = {
    refreshed: 0,
    ended: 0,
    coalesced: 0,
    hits: 0,
    misses: 0,
    failures: Object.fromEntries(REFRESH_FAILURE_REASONS.map((reason) => [reason, 0])),
    circuit: { closed: 0, open: 0, 'half-open': 0 },
  } as {
    refreshed: number
    ended: number
    coalesced: number
    hits: number
    misses: number
    failures: Record<(typeof REFRESH_FAILURE_REASONS)[number], number>
    circuit: Record<(typeof CIRCUIT_STATES)[number], number>
  }
  for (const stats of all) {
    total.refreshed += stats.refreshes
    total.ended += stats.sessionsEnded
    total.coalesced += stats.coalesced
    total.hits += stats.verifiedTokenCache.hits
    total.misses += stats.verifiedTokenCache.misses
    for (const reason of REFRESH_FAILURE_REASONS) total.failures[reason] += stats.failures[reason]
    total.circuit[stats.circuit]++
  }
  return total
}
