/**
 * The names this package publishes under: OpenTelemetry spans, metrics and attributes, and
 * `diagnostics_channel` channels. They are public API (docs/observability.md lists them).
 *
 * @module
 */

/** The instrumentation scope: the tracer's and the meter's name. */
export const INSTRUMENTATION_SCOPE = 'corbado-keepalive'

/** Span names. */
export const SPAN = Object.freeze({
  /** One upstream `POST /v2/me/refresh`, with the verification of the token it returned. */
  refresh: 'corbado.refresh',
  /** One download of the signing keys (`GET /.well-known/jwks`). */
  jwks: 'corbado.jwks',
})

/** Metric names, in OpenTelemetry's dotted style (Prometheus: dots become `_`). */
export const METRIC = Object.freeze({
  /** Counter: requests that needed a refresh, by outcome and failure reason. */
  refreshes: 'corbado.keepalive.refreshes',
  /** Counter: requests that reused a refresh another request or instance made. */
  coalesced: 'corbado.keepalive.refreshes.coalesced',
  /** Histogram, seconds: one upstream refresh call including the check of its token. */
  refreshDuration: 'corbado.keepalive.refresh.duration',
  /** Counter: requests whose session the Frontend API ended (401/403). */
  sessionsEnded: 'corbado.keepalive.sessions.ended',
  /** Gauge: keep-alives whose refresh circuit is in the state of the attribute. */
  circuitState: 'corbado.keepalive.circuit.state',
  /** Counter: hot-path lookups of the verified-token cache, by result. */
  tokenCacheLookups: 'corbado.keepalive.token_cache.lookups',
})

/** Attribute names beyond the HTTP semantic conventions'. */
export const ATTRIBUTE = Object.freeze({
  /** `refreshed`, `ended` or `failed`. */
  outcome: 'corbado.keepalive.outcome',
  /** The failure reason (a `RefreshFailureReason`), the OpenTelemetry way. */
  errorType: 'error.type',
  /** Requests of this process that waited for this upstream refresh, besides the one that ran it. */
  coalescedRequests: 'corbado.keepalive.coalesced_requests',
  /** Whether other requests waited for this upstream refresh. */
  coalesced: 'corbado.keepalive.coalesced',
  /** `closed`, `open` or `half-open`. */
  circuitState: 'corbado.keepalive.circuit.state',
  /** `hit` or `miss`. */
  cacheResult: 'corbado.keepalive.token_cache.result',
  /** The Corbado user ID; only with `telemetry: { includeUserId: true }`. */
  userId: 'user.id',
})

/** `diagnostics_channel` names. */
export const CHANNEL = Object.freeze({
  /** A `TracingChannel`: `tracing:corbado-keepalive:refresh:start`, `…:end`, `…:asyncStart`, `…:asyncEnd`, `…:error`. */
  refresh: 'corbado-keepalive:refresh',
  /** Published when the Frontend API ended a session; the message is the `SessionEndedEvent`. */
  sessionEnded: 'corbado-keepalive:session-ended',
  /** Published when the refresh circuit opens or closes; the message is the `CircuitChangeEvent`. */
  circuitChange: 'corbado-keepalive:circuit-change',
})

/** Upper bounds (seconds) of the refresh-duration histogram's buckets: 5 ms to 10 s. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
])
