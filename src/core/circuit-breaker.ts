/**
 * A circuit breaker around the refresh call. After `failureThreshold` consecutive transient
 * failures it opens: refreshes are skipped for `cooldownMs`, so an outage of the Frontend API
 * does not add a timeout to every request. Then one trial refresh is let through (half-open);
 * its success closes the circuit, its failure opens it again.
 *
 * @module
 */

/** The state of a {@link CircuitBreaker}. */
export type CircuitState = 'closed' | 'open' | 'half-open'

/** What {@link CircuitBreaker.acquire} allows. */
export type CircuitPermit = 'allowed' | 'trial' | 'rejected'

/** Settings of {@link CircuitBreaker}. */
export interface CircuitBreakerSettings {
  readonly failureThreshold: number
  readonly cooldownMs: number
  /** Called on every change of state, with the `cause` given to the record call that made it. */
  readonly onChange: (state: CircuitState, consecutiveFailures: number, cause: unknown) => void
}

/** Counts consecutive refresh failures and pauses refreshes after too many. */
export class CircuitBreaker {
  #state: CircuitState = 'closed'
  #failures = 0
  #reopenAt = 0
  #trialRunning = false
  readonly #settings: CircuitBreakerSettings

  constructor(settings: CircuitBreakerSettings) {
    this.#settings = settings
  }

  /** The current state. */
  get state(): CircuitState {
    return this.#state
  }

  /** May a refresh be attempted at `now` (ms)? A `trial` permit must be settled by a record call. */
  acquire(now: number): CircuitPermit {
    if (this.#state === 'closed') return 'allowed'
    if (this.#state === 'open') {
      if (now < this.#reopenAt) return 'rejected'
      this.#change('half-open', undefined)
    }
    if (this.#trialRunning) return 'rejected'
    this.#trialRunning = true
    return 'trial'
  }

  /**
   * A refresh reached a verdict from the Frontend API (a token, or a rejected session).
   * `cause` (the request that made it) is handed to `onChange`.
   */
  recordSuccess(cause?: unknown): void {
    this.#failures = 0
    this.#trialRunning = false
    if (this.#state !== 'closed') this.#change('closed', cause)
  }

  /** A refresh failed transiently at `now` (ms); `cause` is handed to `onChange`. */
  recordFailure(now: number, cause?: unknown): void {
    this.#failures++
    this.#trialRunning = false
    if (this.#state === 'half-open' || this.#failures >= this.#settings.failureThreshold) {
      this.#reopenAt = now + this.#settings.cooldownMs
      if (this.#state !== 'open') this.#change('open', cause)
    }
  }

  /** Give back a trial permit that produced no verdict of its own. */
  release(): void {
    this.#trialRunning = false
  }

  #change(state: CircuitState, cause: unknown): void {
    this.#state = state
    this.#settings.onChange(state, this.#failures, cause)
  }
}
