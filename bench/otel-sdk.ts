/**
 * An OpenTelemetry SDK registered as an app registers it (AsyncLocalStorage context, a tracer
 * provider, a meter provider collecting every 10 s), whose exporters drop what they receive:
 * the `express-keepalive-otel` setup measures what instrumentation costs, not what exporting does.
 */
import { context, metrics, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { ExportResultCode } from '@opentelemetry/core'
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { SpanExporter } from '@opentelemetry/sdk-trace-base'
import { loadOpenTelemetry } from '../src/core/telemetry/load-opentelemetry.js'

const SUCCESS = { code: ExportResultCode.SUCCESS }

const dropSpans: SpanExporter = {
  export: (_spans, done) => {
    done(SUCCESS)
  },
  shutdown: () => Promise.resolve(),
}

const dropMetrics: PushMetricExporter = {
  export: (_metrics, done) => {
    done(SUCCESS)
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
  selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
}

/** Register the SDK, then wait until the keep-alive's optional API import has resolved. */
export async function registerDroppingOpenTelemetrySdk(): Promise<void> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropSpans)] }),
  )
  metrics.setGlobalMeterProvider(
    new MeterProvider({
      readers: [
        new PeriodicExportingMetricReader({ exporter: dropMetrics, exportIntervalMillis: 10_000 }),
      ],
    }),
  )
  await loadOpenTelemetry()
}
