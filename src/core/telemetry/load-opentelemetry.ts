/**
 * Loads `@opentelemetry/api`, an optional peer dependency, once an OpenTelemetry SDK is
 * registered. The API keeps what an SDK registers in one global slot per major version,
 * whichever copy (ESM or CommonJS) registered it; while that slot is empty the API could only
 * hand out no-op tracers, so it is not loaded at all, and an app without OpenTelemetry pays
 * nothing. The import is dynamic so that the core needs neither `require` (absent from ESM and
 * from workerd) nor the package itself: when it is missing the promise resolves to `undefined`.
 * The specifier is a variable, with the bundlers' ignore hints, so an app bundled without the
 * package still builds; the package is then resolved at run time, where installed.
 *
 * @module
 */
import type * as OpenTelemetryApi from '@opentelemetry/api'

/** The `@opentelemetry/api` module. */
export type OpenTelemetry = typeof OpenTelemetryApi

const SPECIFIER = '@opentelemetry/api'
/** Where `@opentelemetry/api` 1.x keeps the registered providers (its `global-utils`). */
const REGISTRY = Symbol.for('opentelemetry.js.api.1')

let loading: Promise<OpenTelemetry | undefined> | undefined

/** Has anything registered with the OpenTelemetry API (a tracer or meter provider, …)? */
export function openTelemetryRegistered(): boolean {
  return (globalThis as Record<symbol, unknown>)[REGISTRY] !== undefined
}

/** `@opentelemetry/api`, or `undefined` when it cannot be loaded. Loaded once per process. */
export function loadOpenTelemetry(): Promise<OpenTelemetry | undefined> {
  loading ??= (
    import(/* webpackIgnore: true */ /* @vite-ignore */ SPECIFIER) as Promise<OpenTelemetry>
  ).then(
    (api) =>
      typeof (api.trace as Partial<OpenTelemetry['trace']> | undefined)?.getTracer === 'function'
        ? api
        : undefined,
    () => undefined,
  )
  return loading
}
