/**
 * An OpenTelemetry SDK registered globally, as an app registers it, with in-memory exporters:
 * what the keep-alive publishes can be read back.
 */
import { context, metrics, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'

/** A reader that collects when asked. */
class PullReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

/** One metric point: its metric's name and unit, its attributes, its value. */
export interface Point {
  readonly name: string
  readonly unit: string
  readonly attributes: Readonly<Record<string, unknown>>
  readonly value: number | Histogram
}

/** The registered SDK. */
export interface TestSdk {
  readonly spans: InMemorySpanExporter
  /** Every metric point collected now. */
  collect(): Promise<Point[]>
  shutdown(): Promise<void>
}

/** A meter provider whose points can be read back; not registered. */
export function pullMeterProvider(): {
  readonly provider: MeterProvider
  collect(): Promise<Point[]>
} {
  const reader = new PullReader()
  return {
    provider: new MeterProvider({ readers: [reader] }),
    async collect() {
      const { resourceMetrics } = await reader.collect()
      return resourceMetrics.scopeMetrics.flatMap((scope) =>
        scope.metrics.flatMap((metric) =>
          (metric.dataPoints as DataPoint<number | Histogram>[]).map((point) => ({
            name: metric.descriptor.name,
            unit: metric.descriptor.unit,
            attributes: point.attributes,
            value: point.value,
          })),
        ),
      )
    },
  }
}

/** Register a tracer provider, a meter provider and an AsyncLocalStorage context manager. */
export function registerTestSdk(): TestSdk {
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans)],
  })
  const meter = pullMeterProvider()
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  trace.setGlobalTracerProvider(tracerProvider)
  metrics.setGlobalMeterProvider(meter.provider)
  return {
    spans,
    collect: () => meter.collect(),
    async shutdown() {
      trace.disable()
      metrics.disable()
      context.disable()
      await tracerProvider.shutdown()
      await meter.provider.shutdown()
    },
  }
}

/** The value of the point of `name` whose attributes include `attributes`; 0 when absent. */
export function valueOf(
  points: readonly Point[],
  name: string,
  attributes: Readonly<Record<string, unknown>> = {},
): number {
  const point = points.find(
    (candidate) =>
      candidate.name === name &&
      Object.entries(attributes).every(([key, value]) => candidate.attributes[key] === value) &&
      Object.keys(candidate.attributes).length === Object.keys(attributes).length,
  )
  if (point === undefined) return 0
  return typeof point.value === 'number' ? point.value : point.value.count
}

/** The spans of `name` exported so far. */
export function spansNamed(sdk: TestSdk, name: string): ReadableSpan[] {
  return sdk.spans.getFinishedSpans().filter((span) => span.name === name)
}
