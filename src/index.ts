/**
 * corbado-keepalive: keep Corbado sessions alive on the server.
 *
 * This entry is the framework-free core. Framework adapters live in `corbado-keepalive/express`
 * (and later entries); the fake Frontend API in `corbado-keepalive/testing`.
 *
 * @module
 */
export { createKeepAlive } from './core/keep-alive.js'
export type { KeepAlive } from './core/keep-alive.js'
export { DEFAULTS, LEGACY_REFRESH_COOKIE, LEGACY_SESSION_COOKIE } from './core/options.js'
export type {
  CircuitBreakerOptions,
  KeepAliveOptions,
  RefreshRateLimitOptions,
  SessionCookieOptions,
} from './core/options.js'
export type { CircuitState } from './core/circuit-breaker.js'
export { MemoryCoordinator } from './core/memory-coordinator.js'
export type { MemoryCoordinatorOptions } from './core/memory-coordinator.js'
export type {
  CoordinatedRefreshResult,
  RefreshCoordinator,
  RefreshKey,
  SharedRefreshResult,
} from './core/coordinator.js'
export {
  HookFailedError,
  InvalidOptionError,
  KeepAliveError,
  REFRESH_FAILURE_REASONS,
  RefreshFailedError,
} from './core/errors.js'
export type { KeepAliveErrorCode, RefreshFailureReason } from './core/errors.js'
export { finalizeResponseHeaders } from './core/set-cookie.js'
export type { FinalResponseHeaders, ResponseHeaderSnapshot } from './core/set-cookie.js'
export type { KeepAliveStats } from './core/stats.js'
export type { DurationHistogramSnapshot } from './core/telemetry/duration-histogram.js'
export { PROMETHEUS_CONTENT_TYPE, toPrometheusText } from './core/telemetry/prometheus.js'
export type { TelemetryOptions } from './core/options.js'
export type {
  CircuitChangeEvent,
  CorbadoClaims,
  CorbadoSession,
  KeepAliveOutcome,
  KeepAliveRequest,
  LogFn,
  Logger,
  RefreshEvent,
  SessionEndedEvent,
} from './core/types.js'
