/**
 * The keep-alive's metrics in Prometheus' text exposition format (version 0.0.4), rendered from
 * `stats()`: the same metrics OpenTelemetry publishes, named as OpenTelemetry's Prometheus
 * exporter names them (dots become `_`, counters end in `_total`, seconds in `_seconds`).
 *
 * @module
 */
import { REFRESH_FAILURE_REASONS } from '../errors.js'
import type { KeepAliveStats } from '../stats.js'
import { ATTRIBUTE, METRIC } from './names.js'

/** The `Content-Type` of {@link toPrometheusText}'s output. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/**
 * Render a keep-alive's `stats()` in Prometheus' text format, for a `/metrics` endpoint.
 *
 * ```ts
 * app.get('/metrics', (req, res) => {
 *   res.type(PROMETHEUS_CONTENT_TYPE).send(toPrometheusText(keepAlive.stats()))
 * })
 * ```
 */
export function toPrometheusText(stats: KeepAliveStats): string {
  const lines: string[] = []
  const outcome = promName(ATTRIBUTE.outcome)
  const errorType = promName(ATTRIBUTE.errorType)

  const refreshes = `${promName(METRIC.refreshes)}_total`
  family(
    lines,
    refreshes,
    'counter',
    'Requests that needed a refresh, by outcome and failure reason.',
  )
  sample(lines, refreshes, { [outcome]: 'refreshed' }, stats.refreshes)
  sample(lines, refreshes, { [outcome]: 'ended' }, stats.sessionsEnded)
  for (const reason of REFRESH_FAILURE_REASONS) {
    sample(lines, refreshes, { [outcome]: 'failed', [errorType]: reason }, stats.failures[reason])
  }

  const coalesced = `${promName(METRIC.coalesced)}_total`
  family(
    lines,
    coalesced,
    'counter',
    'Requests that received a refresh another request or instance made.',
  )
  sample(lines, coalesced, {}, stats.coalesced)

  const ended = `${promName(METRIC.sessionsEnded)}_total`
  family(lines, ended, 'counter', 'Requests whose session the Frontend API ended (401/403).')
  sample(lines, ended, {}, stats.sessionsEnded)

  const duration = `${promName(METRIC.refreshDuration)}_seconds`
  family(
    lines,
    duration,
    'histogram',
    'Duration of upstream refresh calls, with the verification of the new token.',
  )
  const histogram = stats.refreshDuration
  let cumulative = 0
  histogram.boundaries.forEach((bound, index) => {
    cumulative += histogram.bucketCounts[index] ?? 0
    sample(lines, `${duration}_bucket`, { le: String(bound) }, cumulative)
  })
  sample(lines, `${duration}_bucket`, { le: '+Inf' }, histogram.count)
  sample(lines, `${duration}_sum`, {}, histogram.sum)
  sample(lines, `${duration}_count`, {}, histogram.count)

  const circuit = promName(METRIC.circuitState)
  family(lines, circuit, 'gauge', 'Keep-alives whose refresh circuit is in the given state.')
  for (const state of ['closed', 'open', 'half-open'] as const) {
    sample(
      lines,
      circuit,
      { [promName(ATTRIBUTE.circuitState)]: state },
      stats.circuit === state ? 1 : 0,
    )
  }

  const lookups = `${promName(METRIC.tokenCacheLookups)}_total`
  family(lines, lookups, 'counter', 'Hot-path lookups of the verified-token cache, by result.')
  const result = promName(ATTRIBUTE.cacheResult)
  sample(lines, lookups, { [result]: 'hit' }, stats.verifiedTokenCache.hits)
  sample(lines, lookups, { [result]: 'miss' }, stats.verifiedTokenCache.misses)

  return `${lines.join('\n')}\n`
}

/** An OpenTelemetry name as a Prometheus name. */
function promName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_')
}

function family(lines: string[], name: string, type: string, help: string): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
}

function sample(
  lines: string[],
  name: string,
  labels: Readonly<Record<string, string>>,
  value: number,
): void {
  const rendered = Object.entries(labels)
    .map(
      ([label, text]) =>
        `${label}="${text.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`,
    )
    .join(',')
  lines.push(`${name}${rendered === '' ? '' : `{${rendered}}`} ${value}`)
}
