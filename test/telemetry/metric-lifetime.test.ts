/**
 * OpenTelemetry metrics over an app's lifetime: a meter provider registered after the keep-alive
 * joined OpenTelemetry, and keep-alives that are garbage-collected. Its own file: what the API
 * registered, and the package's instruments, are per process.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { context, metrics, trace } from '@opentelemetry/api'
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeepAlive } from '../../src/index.js'
import type { KeepAlive } from '../../src/index.js'
import { loadOpenTelemetry } from '../../src/core/telemetry/load-opentelemetry.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { nearExpirySession } from '../helpers/sessions.js'
import { pullMeterProvider, valueOf } from './otel-setup.js'

const REFRESHED = [
  'corbado.keepalive.refreshes',
  { 'corbado.keepalive.outcome': 'refreshed' },
] as const

let fake: FakeCorbado
let meter: ReturnType<typeof pullMeterProvider>

beforeAll(async () => {
  fake = await startFakeCorbado()
})
afterAll(async () => {
  trace.disable()
  metrics.disable()
  context.disable()
  await meter.provider.shutdown()
  await fake.close()
})

function keepAlive(): KeepAlive<object> {
  return createKeepAlive<object>({
    projectId: fake.projectId,
    frontendApiUrl: fake.url,
    refreshRateLimit: false,
  })
}

async function refresh(keepAlive: KeepAlive<object>, userId: string): Promise<void> {
  const outcome = await keepAlive.handle({
    method: 'GET',
    cookieHeader: nearExpirySession(fake, userId).header,
    clientAddress: undefined,
    raw: {},
  })
  expect(outcome.action).toBe('refreshed')
}

/** A keep-alive that refreshed twice and is referenced no more. */
async function usedThenDropped(): Promise<WeakRef<KeepAlive<object>>> {
  const replaced = keepAlive()
  await refresh(replaced, 'usr-3')
  await refresh(replaced, 'usr-4')
  return new WeakRef(replaced)
}

describe('OpenTelemetry metrics over time', () => {
  // The tests run in order: the second starts from what the first registered.
  let first: KeepAlive<object>

  it('a meter provider registered after the keep-alive joined OpenTelemetry gets its metrics', async () => {
    // The app registered only its tracer provider when the keep-alive was made, and refreshed.
    trace.setGlobalTracerProvider(new BasicTracerProvider())
    first = keepAlive()
    await loadOpenTelemetry()
    await refresh(first, 'usr-1')

    meter = pullMeterProvider()
    metrics.setGlobalMeterProvider(meter.provider)
    await refresh(first, 'usr-2')
    const points = await meter.collect()
    // Every count since the keep-alive was made, and the duration of the call made since.
    expect(valueOf(points, ...REFRESHED)).toBe(2)
    expect(valueOf(points, 'corbado.keepalive.refresh.duration')).toBe(1)
  })

  it('a counter never goes down when a keep-alive is garbage-collected', async () => {
    // Rebuilt (a reloaded config, a dev server's reload): the old keep-alive becomes unreachable.
    const collected = await usedThenDropped()
    expect(valueOf(await meter.collect(), ...REFRESHED)).toBe(4)
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    for (let i = 0; i < 10 && collected.deref() !== undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      gc()
    }
    expect(collected.deref()).toBeUndefined()

    await refresh(first, 'usr-5')
    expect(valueOf(await meter.collect(), ...REFRESHED)).toBe(5)
  })
})
