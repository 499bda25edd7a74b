/**
 * A histogram of refresh durations in plain numbers: what `stats()` reports and the Prometheus
 * endpoint renders, with the buckets the OpenTelemetry histogram is advised to use.
 *
 * @module
 */
import { DURATION_BUCKETS_SECONDS } from './names.js'

/** A snapshot of a {@link DurationHistogram}. */
export interface DurationHistogramSnapshot {
  /** Upper bounds of the buckets, seconds, ascending. */
  readonly boundaries: readonly number[]
  /**
   * Observations per bucket, not cumulative: `bucketCounts[i]` counts durations above
   * `boundaries[i - 1]` and at most `boundaries[i]`; the last counts those above every bound.
   */
  readonly bucketCounts: readonly number[]
  /** Sum of every observed duration, seconds. */
  readonly sum: number
  /** Number of observations. */
  readonly count: number
}

/** Counts durations into {@link DURATION_BUCKETS_SECONDS}. */
export class DurationHistogram {
  readonly #counts: number[] = new Array<number>(DURATION_BUCKETS_SECONDS.length + 1).fill(0)
  #sum = 0
  #count = 0

  /** Count one duration, seconds. */
  record(seconds: number): void {
    const within = DURATION_BUCKETS_SECONDS.findIndex((bound) => seconds <= bound)
    const bucket = within === -1 ? DURATION_BUCKETS_SECONDS.length : within
    this.#counts[bucket] = (this.#counts[bucket] ?? 0) + 1
    this.#sum += seconds
    this.#count++
  }

  snapshot(): DurationHistogramSnapshot {
    return {
      boundaries: DURATION_BUCKETS_SECONDS,
      bucketCounts: [...this.#counts],
      sum: this.#sum,
      count: this.#count,
    }
  }
}
