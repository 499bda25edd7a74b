/**
 * The names a user scrapes when the keep-alive's OpenTelemetry metrics reach Prometheus through
 * OpenTelemetry's JavaScript exporter, against those of the package's own /metrics text and the
 * names docs/observability.md gives for it.
 */
import { readFileSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { metrics } from '@opentelemetry/api'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeepAlive, toPrometheusText } from '../../src/index.js'
import { loadOpenTelemetry } from '../../src/core/telemetry/load-opentelemetry.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { nearExpirySession } from '../helpers/sessions.js'

const guide = readFileSync(new URL('../../docs/observability.md', import.meta.url), 'utf8')

let fake: FakeCorbado
let exporter: PrometheusExporter
let provider: MeterProvider

beforeAll(async () => {
  fake = await startFakeCorbado()
  exporter = new PrometheusExporter({ preventServerStart: true })
  provider = new MeterProvider({ readers: [exporter] })
  metrics.setGlobalMeterProvider(provider)
})
afterAll(async () => {
  metrics.disable()
  await provider.shutdown()
  await fake.close()
})

/** The exposition text the exporter serves at its endpoint. */
function exported(): Promise<string> {
  return new Promise((resolve) => {
    const response = {
      statusCode: 0,
      setHeader: () => response,
      end: (text: string) => {
        resolve(text)
      },
    }
    exporter.getMetricsRequestHandler(
      { url: '/metrics', headers: {} } as never,
      response as unknown as ServerResponse,
    )
  })
}

function families(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (corbado_\S+)/gm)].map((match) => match[1] ?? ''))
}

describe('through @opentelemetry/exporter-prometheus', () => {
  it('the names are those of /metrics, but for the histogram, which has no unit, as the docs say', async () => {
    const keepAlive = createKeepAlive<object>({
      projectId: fake.projectId,
      frontendApiUrl: fake.url,
      refreshRateLimit: false,
    })
    await loadOpenTelemetry()
    const outcome = await keepAlive.handle({
      method: 'GET',
      cookieHeader: nearExpirySession(fake, 'usr-1').header,
      clientAddress: undefined,
      raw: {},
    })
    expect(outcome.action).toBe('refreshed')

    const own = families(toPrometheusText(keepAlive.stats()))
    const expected = new Set(
      [...own].map((name) => name.replace(/^(corbado_keepalive_refresh_duration)_seconds$/, '$1')),
    )
    expect(own.has('corbado_keepalive_refresh_duration_seconds')).toBe(true)
    expect(families(await exported())).toEqual(expected)
    expect(guide).toContain(
      "OpenTelemetry's JavaScript `PrometheusExporter` adds no unit to a name: there the histogram is `corbado_keepalive_refresh_duration`",
    )
  })
})
