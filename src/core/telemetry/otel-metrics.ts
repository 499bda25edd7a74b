/**
 * The keep-alive's OpenTelemetry metrics. Counters, the circuit gauge and the cache lookups are
 * observable instruments read from each keep-alive's `stats()` when the SDK collects, so a
 * request pays nothing for them; only the refresh-duration histogram is recorded as it happens,
 * once per upstream call. Instruments are created once per meter and sum every keep-alive of the
 * process, so two keep-alives never overwrite each other's points.
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

/** What the instruments report, summed over keep-alives. */
interface Totals {
  refreshed: number
  ended: number
  coalesced: number
  hits: number
  misses: number
  failures: Record<(typeof REFRESH_FAILURE_REASONS)[number], number>
  circuit: Record<(typeof CIRCUIT_STATES)[number], number>
}

/**
 * Every observed keep-alive, weakly held so that one no longer used can be collected, with its
 * counts as last read. Those of a collected one stay in {@link retired}: the counters are
 * cumulative, and one that went down would read as a reset to Prometheus's `rate()`.
 */
const sources = new Map<WeakRef<MetricSource>, Totals | undefined>()
const observed = new WeakSet<MetricSource>()
const retired = emptyTotals()
const histograms = new WeakMap<Meter, Histogram>()

/** Count `source` into the metrics of every meter they are reported to; once per source. */
export function observeMetrics(source: MetricSource): void {
  if (observed.has(source)) return
  observed.add(source)
  sources.set(new WeakRef(source), undefined)
}

/**
 * The histogram of refresh durations in the meter of the meter provider registered now, whose
 * instruments are made on first use. Asked again at each refresh: the API hands out a no-op meter
 * until a provider is registered, and never replaces one it handed out.
 */
export function refreshDurationHistogram(api: OpenTelemetry): Histogram {
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
      const total = currentTotals()
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

/** The counters of every keep-alive observed so far, and the circuits of those alive. */
function currentTotals(): Totals {
  const total = emptyTotals()
  addCounters(total, retired)
  for (const [ref, last] of sources) {
    const source = ref.deref()
    if (source === undefined) {
      addCounters(retired, last)
      addCounters(total, last)
      sources.delete(ref)
      continue
    }
    const counts = totalsOf(source.stats())
    sources.set(ref, counts)
    addCounters(total, counts)
    for (const state of CIRCUIT_STATES) total.circuit[state] += counts.circuit[state]
  }
  return total
}

function emptyTotals(): Totals {
  return {
    refreshed: 0,
    ended: 0,
    coalesced: 0,
    hits: 0,
    misses: 0,
    failures: Object.fromEntries(
      REFRESH_FAILURE_REASONS.map((reason) => [reason, 0]),
    ) as Totals['failures'],
    circuit: { closed: 0, open: 0, 'half-open': 0 },
  }
}

function totalsOf(stats: KeepAliveStats): Totals {
  const totals = emptyTotals()
  totals.refreshed = stats.refreshes
  totals.ended = stats.sessionsEnded
  totals.coalesced = stats.coalesced
  totals.hits = stats.verifiedTokenCache.hits
  totals.misses = stats.verifiedTokenCache.misses
  for (const reason of REFRESH_FAILURE_REASONS) totals.failures[reason] = stats.failures[reason]
  totals.circuit[stats.circuit] = 1
  return totals
}

/** Add `counts`'s counters (not its circuit, a state of the moment) to `total`. */
function addCounters(total: Totals, counts: Totals | undefined): void {
  if (counts === undefined) return
  total.refreshed += counts.refreshed
  total.ended += counts.ended
  total.coalesced += counts.coalesced
  total.hits += counts.hits
  total.misses += counts.misses
  for (const reason of REFRESH_FAILURE_REASONS) total.failures[reason] += counts.failures[reason]
}
