/**
 * What the keep-alive tells the outside world besides its hooks: OpenTelemetry spans and metrics
 * (when `@opentelemetry/api` is installed and `telemetry` is not `false`) and Node's
 * `diagnostics_channel` (when someone subscribes). The keep-alive calls it at a handful of points,
 * none of them on the hot path. Nothing here ever sees a token: results are summarized first.
 *
 * @module
 */
import type { Histogram, Span, Tracer } from '@opentelemetry/api'
import type { SharedRefreshResult } from '../coordinator.js'
import type { RefreshFailureReason } from '../errors.js'
import type { KeepAliveStats } from '../stats.js'
import type { CircuitChangeEvent, SessionEndedEvent } from '../types.js'
import { diagnosticChannels } from './diagnostics.js'
import { loadOpenTelemetry, openTelemetryRegistered } from './load-opentelemetry.js'
import type { OpenTelemetry } from './load-opentelemetry.js'
import { observeMetrics, refreshDurationHistogram } from './otel-metrics.js'
import { ATTRIBUTE, INSTRUMENTATION_SCOPE, SPAN } from './names.js'

/** Settings of {@link createTelemetry}. */
export interface TelemetrySettings {
  /** `false` with `telemetry: false`: OpenTelemetry is not even loaded. */
  readonly enabled: boolean
  readonly includeUserId: boolean
  readonly refreshUrl: string
  /** The keep-alive's counters, read when metrics are collected. */
  readonly stats: () => KeepAliveStats
  /** Counts an upstream call's duration into `stats()`, with or without OpenTelemetry. */
  readonly recordDuration: (seconds: number) => void
}

/** Reports the HTTP status the Frontend API answered, when it answered. */
export type AnswerObserver = (status: number | undefined) => void

/**
 * The summary of one upstream refresh: the `result` of the `corbado-keepalive:refresh` tracing
 * channel's message. Never a token.
 */
export interface RefreshSummary {
  readonly outcome: 'refreshed' | 'ended' | 'failed'
  readonly reason: RefreshFailureReason | undefined
  /** The Frontend API's HTTP status, when it answered. */
  readonly status: number | undefined
  /** Requests of this process that waited for this refresh besides the one that ran it. */
  readonly coalescedRequests: number
}

/** The keep-alive's side of telemetry. */
export interface Telemetry<Req> {
  /** `fetch` for JWKS downloads: each one a `corbado.jwks` span. */
  jwksFetch(fetch: typeof globalThis.fetch): typeof globalThis.fetch
  /** Run `coordinate` for refresh key `keyId`, counting the requests that wait on it. */
  coordinate<T>(keyId: string, coordinate: () => Promise<T>): Promise<T>
  /**
   * Run one upstream refresh as a `corbado.refresh` span and a tracing-channel trace. `userId`
   * settles with the verified user, who may still be being verified when the call ends (the
   * call can start first): a span that records user ids then ends once it is known, at the time
   * the call ended.
   */
  upstreamRefresh(
    request: Req,
    keyId: string,
    userId: Promise<string | undefined>,
    run: (answered: AnswerObserver) => Promise<SharedRefreshResult>,
  ): Promise<SharedRefreshResult>
  /** Publish an ended session on its diagnostics channel. */
  sessionEnded(event: SessionEndedEvent<Req>): void
  /** Publish a circuit change on its diagnostics channel. */
  circuitChanged(event: CircuitChangeEvent<Req>): void
}

interface OpenTelemetryParts {
  readonly api: OpenTelemetry
  readonly tracer: Tracer
}

/** Create the telemetry of one keep-alive; OpenTelemetry joins once its API has loaded. */
export function createTelemetry<Req>(settings: TelemetrySettings): Telemetry<Req> {
  let otel: OpenTelemetryParts | undefined
  const waiting = new Map<string, number>()
  const source = { stats: settings.stats }
  const refreshServer = serverAttributes(settings.refreshUrl)
  const channels = diagnosticChannels()

  let joining = false
  /**
   * Join OpenTelemetry once anything has registered with its API: checked at creation and then
   * before each refresh and key download until it has, so an SDK registered later is found too.
   * Requests arriving while the API loads are not instrumented. The tracer follows a tracer
   * provider registered later by itself; a meter does not, so the metrics are made again in
   * the meter of the provider registered by then.
   */
  function joinOpenTelemetry(): void {
    if (!settings.enabled) return
    if (otel !== undefined) {
      durationHistogram()
      return
    }
    if (joining || !openTelemetryRegistered()) return
    joining = true
    void loadOpenTelemetry().then((api) => {
      if (api === undefined) return
      try {
        observeMetrics(source)
        refreshDurationHistogram(api)
        otel = { api, tracer: api.trace.getTracer(INSTRUMENTATION_SCOPE) }
      } catch {
        // An API too old for what is used here: stay uninstrumented rather than break requests.
      }
    })
  }
  joinOpenTelemetry()

  /** The refresh-duration histogram of the meter provider registered now, if it has one. */
  function durationHistogram(): Histogram | undefined {
    if (otel === undefined) return undefined
    try {
      return refreshDurationHistogram(otel.api)
    } catch {
      // A meter provider that fails: the refresh goes on unmeasured rather than fail.
      return undefined
    }
  }

  async function upstreamRefresh(
    request: Req,
    keyId: string,
    userId: Promise<string | undefined>,
    run: (answered: AnswerObserver) => Promise<SharedRefreshResult>,
  ): Promise<SharedRefreshResult> {
    joinOpenTelemetry()
    const startedAt = performance.now()
    let status: number | undefined
    let result: SharedRefreshResult | undefined
    const observed = async (): Promise<RefreshSummary> => {
      result = await run((answer) => {
        status = answer
      })
      return summarize(result, status, (waiting.get(keyId) ?? 1) - 1)
    }
    const traced = channels?.refresh.hasSubscribers
      ? () =>
          channels.refresh.tracePromise(
            observed,
            withHiddenRequest({ url: settings.refreshUrl, method: 'POST' }, request),
          )
      : observed
    const parts = otel
    if (parts === undefined) await traced()
    else await inSpan(parts, userId, traced)
    const seconds = (performance.now() - startedAt) / 1000
    settings.recordDuration(seconds)
    durationHistogram()?.record(seconds)
    // Set by `observed`, which ran to its end: a throw would have skipped this.
    if (result === undefined) throw new Error('corbado-keepalive: the refresh did not run')
    return result
  }

  async function inSpan(
    parts: OpenTelemetryParts,
    userId: Promise<string | undefined>,
    traced: () => Promise<RefreshSummary>,
  ): Promise<RefreshSummary> {
    const { api, tracer } = parts
    const attributes = {
      'http.request.method': 'POST',
      'url.full': settings.refreshUrl,
      ...refreshServer,
    }
    return tracer.startActiveSpan(
      SPAN.refresh,
      { kind: api.SpanKind.CLIENT, attributes },
      async (span: Span) => {
        try {
          const summary = await traced()
          span.setAttributes({
            [ATTRIBUTE.outcome]: summary.outcome,
            [ATTRIBUTE.coalescedRequests]: summary.coalescedRequests,
            [ATTRIBUTE.coalesced]: summary.coalescedRequests > 0,
            ...(summary.status === undefined
              ? {}
              : { 'http.response.status_code': summary.status }),
          })
          if (summary.reason !== undefined) {
            span.setAttribute(ATTRIBUTE.errorType, summary.reason)
            span.setStatus({ code: api.SpanStatusCode.ERROR })
          }
          return summary
        } finally {
          if (settings.includeUserId) {
            const endedAt = performance.timeOrigin + performance.now()
            void userId.then((user) => {
              if (user !== undefined) span.setAttribute(ATTRIBUTE.userId, user)
              span.end(endedAt)
            })
          } else {
            span.end()
          }
        }
      },
    )
  }

  function jwksFetch(fetch: typeof globalThis.fetch): typeof globalThis.fetch {
    return async (input, init) => {
      joinOpenTelemetry()
      const parts = otel
      if (parts === undefined) return fetch(input, init)
      const { api, tracer } = parts
      const url = urlWithoutQuery(input)
      return tracer.startActiveSpan(
        SPAN.jwks,
        {
          kind: api.SpanKind.CLIENT,
          attributes: {
            'http.request.method': init?.method ?? 'GET',
            'url.full': url,
            ...serverAttributes(url),
          },
        },
        async (span: Span) => {
          try {
            const response = await fetch(input, init)
            span.setAttribute('http.response.status_code', response.status)
            if (response.status >= 400) {
              span.setAttribute(ATTRIBUTE.errorType, String(response.status))
              span.setStatus({ code: api.SpanStatusCode.ERROR })
            }
            return response
          } catch (error) {
            span.setAttribute(ATTRIBUTE.errorType, errorType(error))
            span.setStatus({ code: api.SpanStatusCode.ERROR })
            throw error
          } finally {
            span.end()
          }
        },
      )
    }
  }

  return {
    jwksFetch,
    async coordinate(keyId, coordinate) {
      waiting.set(keyId, (waiting.get(keyId) ?? 0) + 1)
      try {
        return await coordinate()
      } finally {
        const left = (waiting.get(keyId) ?? 1) - 1
        if (left > 0) waiting.set(keyId, left)
        else waiting.delete(keyId)
      }
    },
    upstreamRefresh,
    sessionEnded(event) {
      if (channels?.sessionEnded.hasSubscribers) channels.sessionEnded.publish(event)
    },
    circuitChanged(event) {
      if (channels?.circuitChange.hasSubscribers) channels.circuitChange.publish(event)
    },
  }
}

function summarize(
  result: SharedRefreshResult,
  status: number | undefined,
  coalescedRequests: number,
): RefreshSummary {
  switch (result.kind) {
    case 'refreshed':
      return { outcome: 'refreshed', reason: undefined, status, coalescedRequests }
    case 'ended':
      return { outcome: 'ended', reason: undefined, status: result.status, coalescedRequests }
    case 'failed':
      return { outcome: 'failed', reason: result.reason, status, coalescedRequests }
  }
}

/** `message` with a non-enumerable `request`, as hook events have it. */
function withHiddenRequest<M extends object>(message: M, request: unknown): M {
  return Object.defineProperty(message, 'request', { value: request, enumerable: false })
}

function serverAttributes(url: string): Record<string, string | number> {
  try {
    const parsed = new URL(url)
    const port =
      parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port)
    return { 'server.address': parsed.hostname, 'server.port': port }
  } catch {
    return {}
  }
}

function urlWithoutQuery(input: Parameters<typeof globalThis.fetch>[0]): string {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  const cut = href.search(/[?#]/)
  return cut === -1 ? href : href.slice(0, cut)
}

function errorType(error: unknown): string {
  return error instanceof Error ? error.name : 'Error'
}
