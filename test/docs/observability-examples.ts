// The TypeScript blocks of docs/observability.md, verbatim, so the compiler checks them;
// observability-docs.test.ts checks each block of the guide appears here.
/* eslint-disable @typescript-eslint/no-unused-vars */

// --- block: sdk
import { metrics, trace } from '@opentelemetry/api'
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  ConsoleMetricExporter,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
} from '@opentelemetry/sdk-trace-base'

// Register your SDK first (in production: @opentelemetry/sdk-node with OTLP exporters).
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new ConsoleSpanExporter())] }),
)
metrics.setGlobalMeterProvider(
  new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter() })],
  }),
)
// --- end

// --- block: hooks
import type { Request } from 'express'
import { corbadoKeepAlive } from 'corbado-keepalive/express'
import pino from 'pino'

const logger = pino()
const middleware = corbadoKeepAlive<Request>({
  projectId: 'pro-1234567890',
  onRefresh: (event) => {
    logger.info(
      {
        requestId: event.request.get('x-request-id'),
        userId: event.userId,
        coalesced: event.coalesced,
      },
      'session refreshed',
    )
  },
  onSessionEnded: (event) => {
    logger.info(
      { requestId: event.request.get('x-request-id'), status: event.status },
      'session ended',
    )
  },
})
// --- end

// --- block: channels
import diagnosticsChannel from 'node:diagnostics_channel'
import type { IncomingMessage } from 'node:http'

diagnosticsChannel.subscribe('corbado-keepalive:session-ended', (message) => {
  const { request, status } = message as { request: IncomingMessage; status: number }
  console.log('session ended', request.headers['x-request-id'], status)
})
diagnosticsChannel.tracingChannel('corbado-keepalive:refresh').subscribe({
  start: (message) => {
    const { request } = message as { request: IncomingMessage }
    console.log('refresh started for', request.url)
  },
  asyncEnd: (message) => {
    const { result } = message as { result: { outcome: string; reason?: string } }
    console.log('refresh', result.outcome, result.reason ?? '')
  },
  end: () => undefined,
  asyncStart: () => undefined,
  error: () => undefined,
})
// --- end

// --- block: metrics
import express from 'express'
import { PROMETHEUS_CONTENT_TYPE, toPrometheusText } from 'corbado-keepalive'

const app = express()
const keepAlive = corbadoKeepAlive({ projectId: 'pro-1234567890' })
app.use(keepAlive)
app.get('/metrics', (_req, res) => {
  res.type(PROMETHEUS_CONTENT_TYPE).send(toPrometheusText(keepAlive.stats()))
})
// --- end
