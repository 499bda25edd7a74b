/**
 * The proxy's `--metrics-path`: the keep-alive's metrics in Prometheus' text format.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { KeepAliveStats } from '../core/stats.js'
import { PROMETHEUS_CONTENT_TYPE, toPrometheusText } from '../core/telemetry/prometheus.js'

/** Answer a scrape (`GET` or `HEAD`) with `stats` rendered for Prometheus; other methods 405. */
export function answerMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  stats: KeepAliveStats,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end()
    return
  }
  const body = toPrometheusText(stats)
  res.writeHead(200, {
    'content-type': PROMETHEUS_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
  })
  res.end(req.method === 'HEAD' ? undefined : body)
}
