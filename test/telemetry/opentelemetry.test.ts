import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { trace } from '@opentelemetry/api'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createKeepAlive, toPrometheusText } from '../../src/index.js'
import type { KeepAlive, KeepAliveOptions, KeepAliveOutcome } from '../../src/index.js'
import { loadOpenTelemetry } from '../../src/core/telemetry/load-opentelemetry.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado, FakeFault } from '../../src/testing/index.js'
import { cookies } from '../helpers/http.js'
import { nearExpirySession } from '../helpers/sessions.js'
import { registerTestSdk, spansNamed, valueOf } from './otel-setup.js'
import type { Point, TestSdk } from './otel-setup.js'

const REFRESHES = 'corbado.keepalive.refreshes'
const OUTCOME = 'corbado.keepalive.outcome'

let sdk: TestSdk
let fake: FakeCorbado
/** Every token a test handled: none may appear in a span, a metric point or a message. */
let secrets: string[]
/** Every diagnostics message and hook event a test received. */
let messages: { channel: string; message: unknown }[]

const CHANNELS = [
  'tracing:corbado-keepalive:refresh:start',
  'tracing:corbado-keepalive:refresh:asyncEnd',
  'corbado-keepalive:session-ended',
  'corbado-keepalive:circuit-change',
]
const listeners = CHANNELS.map((channel) => ({
  channel,
  listener: (message: unknown) => messages.push({ channel, message }),
}))

beforeAll(async () => {
  sdk = registerTestSdk()
  fake = await startFakeCorbado()
  for (const { channel, listener } of listeners) subscribe(channel, listener)
})
afterAll(async () => {
  for (const { channel, listener } of listeners) unsubscribe(channel, listener)
  await fake.close()
  await sdk.shutdown()
})
beforeEach(() => {
  sdk.spans.reset()
  fake.setFault(undefined)
  fake.setLatency(0)
  secrets = []
  messages = []
})

/**
 * Every keep-alive of this file, held to its end: the metrics sum over the keep-alives still
 * alive (held weakly), so one collected between two collections would read as negative growth.
 */
const created: KeepAlive<{ id: string }>[] = []

/** A keep-alive against the fake, instrumented once the OpenTelemetry API has loaded. */
async function keepAliveWith(
  options: Partial<KeepAliveOptions<{ id: string }>> = {},
): Promise<KeepAlive<{ id: string }>> {
  const keepAlive = createKeepAlive<{ id: string }>({
    projectId: fake.projectId,
    frontendApiUrl: fake.url,
    refreshRateLimit: false,
    ...options,
  })
  created.push(keepAlive)
  await loadOpenTelemetry()
  return keepAlive
}

/** A signed-in user near expiry; the tokens are remembered as secrets. */
function session(userId = 'usr-1') {
  const tokens = nearExpirySession(fake, userId)
  secrets.push(tokens.sessionToken, tokens.refreshToken)
  return tokens
}

function handle(
  keepAlive: KeepAlive<{ id: string }>,
  cookieHeader: string,
  raw: { id: string },
): Promise<KeepAliveOutcome> {
  return Promise.resolve(
    keepAlive.handle({ method: 'GET', cookieHeader, clientAddress: undefined, raw }),
  )
}

function remember(outcome: KeepAliveOutcome): KeepAliveOutcome {
  if (outcome.session !== undefined) secrets.push(outcome.session.token)
  return outcome
}

/** How much each counted point grew between two collections. */
function growth(before: readonly Point[], after: readonly Point[]) {
  return (name: string, attributes: Record<string, unknown> = {}) =>
    valueOf(after, name, attributes) - valueOf(before, name, attributes)
}

/** What a span exporter or a log shipper could turn the telemetry into. */
function everything(points: readonly Point[]): string {
  const spans = sdk.spans.getFinishedSpans().map((span) => ({
    name: span.name,
    attributes: span.attributes,
    status: span.status,
    events: span.events,
    links: span.links,
  }))
  return JSON.stringify({ spans, points, messages })
}

function expectNoSecret(points: readonly Point[]): void {
  const text = everything(points)
  expect(secrets.length).toBeGreaterThan(0)
  for (const secret of secrets) {
    expect(text).not.toContain(secret)
    expect(text).not.toContain(secret.split('.').at(-1))
  }
}

async function refreshSpan() {
  return vi.waitFor(() => {
    const [span, ...more] = spansNamed(sdk, 'corbado.refresh')
    expect(more).toHaveLength(0)
    if (span === undefined) throw new Error('no corbado.refresh span yet')
    return span
  })
}

describe('OpenTelemetry', () => {
  it('refreshed: one client span with the HTTP attributes, metric points, and no token or user id', async () => {
    const keepAlive = await keepAliveWith()
    const before = await sdk.collect()
    const outcome = remember(await handle(keepAlive, session().header, { id: 'req-1' }))
    expect(outcome.action).toBe('refreshed')

    const span = await refreshSpan()
    const url = new URL(fake.url)
    expect(span.kind).toBe(2) // SpanKind.CLIENT
    expect(span.attributes).toEqual({
      'http.request.method': 'POST',
      'url.full': `${fake.url}/v2/me/refresh`,
      'server.address': url.hostname,
      'server.port': Number(url.port),
      'http.response.status_code': 200,
      [OUTCOME]: 'refreshed',
      'corbado.keepalive.coalesced': false,
      'corbado.keepalive.coalesced_requests': 0,
    })
    expect(span.status.code).toBe(0) // UNSET

    const after = await sdk.collect()
    const grew = growth(before, after)
    expect(grew(REFRESHES, { [OUTCOME]: 'refreshed' })).toBe(1)
    expect(grew(REFRESHES, { [OUTCOME]: 'failed', 'error.type': 'network' })).toBe(0)
    expect(grew('corbado.keepalive.refresh.duration')).toBe(1)
    expect(after.find((p) => p.name === 'corbado.keepalive.refresh.duration')?.unit).toBe('s')
    expect(
      grew('corbado.keepalive.token_cache.lookups', {
        'corbado.keepalive.token_cache.result': 'miss',
      }),
    ).toBe(1)
    expect(
      valueOf(after, 'corbado.keepalive.circuit.state', {
        'corbado.keepalive.circuit.state': 'closed',
      }),
    ).toBeGreaterThan(0)
    expectNoSecret(after)
    expect(everything(after)).not.toContain('usr-1')
  })

  it('the hot path counts a cache hit without a span', async () => {
    const keepAlive = await keepAliveWith()
    const tokens = fake.login('usr-1', { sessionLifetimeSeconds: 600 })
    const header = cookies({ cbo_session_token: tokens.sessionToken })
    await handle(keepAlive, header, { id: 'warm-up' })
    sdk.spans.reset()
    const before = await sdk.collect()
    const outcome = keepAlive.handle({
      method: 'GET',
      cookieHeader: header,
      clientAddress: undefined,
      raw: { id: 'hot' },
    })
    expect(outcome).not.toBeInstanceOf(Promise)
    const grew = growth(before, await sdk.collect())
    expect(
      grew('corbado.keepalive.token_cache.lookups', {
        'corbado.keepalive.token_cache.result': 'hit',
      }),
    ).toBe(1)
    expect(sdk.spans.getFinishedSpans()).toEqual([])
  })

  it('includeUserId: the refresh span carries user.id, metrics still do not', async () => {
    const keepAlive = await keepAliveWith({ telemetry: { includeUserId: true } })
    remember(await handle(keepAlive, session('usr-42').header, { id: 'req-1' }))
    expect((await refreshSpan()).attributes['user.id']).toBe('usr-42')
    expect(JSON.stringify(await sdk.collect())).not.toContain('usr-42')
  })

  it('includeUserId, with the signing key held: the call starts before the user is verified, and its span still carries user.id', async () => {
    const keepAlive = await keepAliveWith({ telemetry: { includeUserId: true } })
    const warm = fake.login('usr-43').sessionToken
    secrets.push(warm)
    remember(await handle(keepAlive, `cbo_session_token=${warm}`, { id: 'warm' }))
    remember(await handle(keepAlive, session('usr-44').header, { id: 'req-1' }))
    expect((await refreshSpan()).attributes['user.id']).toBe('usr-44')
  })

  it('coalesced: one span for concurrent requests, which it counts', async () => {
    const keepAlive = await keepAliveWith()
    const { header } = session()
    const before = await sdk.collect()
    // The refresh stays in flight long enough for all three to join it, however the key
    // derivation and the scheduler interleave them.
    fake.setLatency(100)
    const outcomes = await Promise.all([
      handle(keepAlive, header, { id: 'a' }),
      handle(keepAlive, header, { id: 'b' }),
      handle(keepAlive, header, { id: 'c' }),
    ])
    outcomes.forEach(remember)
    expect(outcomes.map((o) => o.action)).toEqual(['refreshed', 'refreshed', 'refreshed'])
    const span = await refreshSpan()
    expect(span.attributes['corbado.keepalive.coalesced']).toBe(true)
    expect(span.attributes['corbado.keepalive.coalesced_requests']).toBe(2)
    const after = await sdk.collect()
    const grew = growth(before, after)
    expect(grew(REFRESHES, { [OUTCOME]: 'refreshed' })).toBe(3)
    expect(grew('corbado.keepalive.refreshes.coalesced')).toBe(2)
    expect(grew('corbado.keepalive.refresh.duration')).toBe(1)
    const ends = messages.filter((m) => m.channel.endsWith(':asyncEnd'))
    expect(ends).toHaveLength(1)
    expect(ends[0]?.message).toMatchObject({
      result: { outcome: 'refreshed', coalescedRequests: 2 },
    })
    expectNoSecret(after)
  })

  it('ended: the span says so with the 401, and sessions.ended counts it', async () => {
    const onSessionEnded = vi.fn()
    const keepAlive = await keepAliveWith({ onSessionEnded })
    const tokens = session()
    fake.revoke(tokens.refreshToken)
    const before = await sdk.collect()
    const raw = { id: 'req-ended' }
    expect((await handle(keepAlive, tokens.header, raw)).action).toBe('ended')

    const span = await refreshSpan()
    expect(span.attributes).toMatchObject({
      [OUTCOME]: 'ended',
      'http.response.status_code': 401,
    })
    expect(span.attributes['error.type']).toBeUndefined()
    const after = await sdk.collect()
    const grew = growth(before, after)
    expect(grew('corbado.keepalive.sessions.ended')).toBe(1)
    expect(grew(REFRESHES, { [OUTCOME]: 'ended' })).toBe(1)

    const published = messages.find((m) => m.channel === 'corbado-keepalive:session-ended')
    expect((published?.message as { request: unknown }).request).toBe(raw)
    const event = onSessionEnded.mock.calls[0]?.[0] as { request: unknown; status: number }
    expect(event.request).toBe(raw)
    expect(event.status).toBe(401)
    // The request stays out of a serialized event: its Cookie header holds tokens.
    expect(Object.keys(event)).not.toContain('request')
    expectNoSecret(after)
  })

  const transient: { reason: string; fault: FakeFault; status: number | undefined }[] = [
    { reason: 'network', fault: { type: 'reset' }, status: undefined },
    { reason: 'timeout', fault: { type: 'hang' }, status: undefined },
    { reason: 'rate-limited', fault: { type: 'status', status: 429 }, status: 429 },
    { reason: 'upstream-error', fault: { type: 'status', status: 503 }, status: 503 },
    { reason: 'unexpected-status', fault: { type: 'status', status: 400 }, status: 400 },
    { reason: 'bad-response', fault: { type: 'non-json' }, status: 200 },
    { reason: 'unverifiable-token', fault: { type: 'bad-signature' }, status: 200 },
  ]
  it.each(transient)(
    '$reason: an error span with error.type, and the failure counted by reason',
    async ({ reason, fault, status }) => {
      const keepAlive = await keepAliveWith({ circuitBreaker: false, refreshTimeoutMs: 300 })
      const { header } = session()
      // The keys are downloaded before the fault, which hits the refresh only.
      await keepAlive.handle({
        method: 'GET',
        cookieHeader: header,
        clientAddress: undefined,
        raw: { id: 'warm' },
      })
      const tokens = session()
      sdk.spans.reset()
      fake.setFault(fault)
      const before = await sdk.collect()
      const outcome = await handle(keepAlive, tokens.header, { id: 'req' })
      expect(outcome).toMatchObject({ action: 'failed', failure: reason })

      const span = await refreshSpan()
      expect(span.attributes[OUTCOME]).toBe('failed')
      expect(span.attributes['error.type']).toBe(reason)
      expect(span.attributes['http.response.status_code']).toBe(status)
      expect(span.status.code).toBe(2) // ERROR
      const after = await sdk.collect()
      expect(growth(before, after)(REFRESHES, { [OUTCOME]: 'failed', 'error.type': reason })).toBe(
        1,
      )
      expectNoSecret(after)
    },
  )

  it('circuit open: no span while open, the gauge and the channel say so, with the request', async () => {
    const onCircuitChange = vi.fn()
    const keepAlive = await keepAliveWith({
      circuitBreaker: { failureThreshold: 1, cooldownMs: 60_000 },
      onCircuitChange,
    })
    const before = await sdk.collect()
    fake.setFault({ type: 'status', status: 503 })
    const opener = { id: 'opener' }
    await handle(keepAlive, session('usr-1').header, opener)
    await refreshSpan()
    sdk.spans.reset()
    const outcome = await handle(keepAlive, session('usr-2').header, { id: 'skipped' })
    expect(outcome).toMatchObject({ action: 'failed', failure: 'circuit-open' })
    expect(spansNamed(sdk, 'corbado.refresh')).toEqual([])

    const after = await sdk.collect()
    const grew = growth(before, after)
    expect(grew(REFRESHES, { [OUTCOME]: 'failed', 'error.type': 'circuit-open' })).toBe(1)
    expect(grew(REFRESHES, { [OUTCOME]: 'failed', 'error.type': 'upstream-error' })).toBe(1)
    expect(
      grew('corbado.keepalive.circuit.state', { 'corbado.keepalive.circuit.state': 'open' }),
    ).toBe(1)

    const change = messages.find((m) => m.channel === 'corbado-keepalive:circuit-change')
    expect(change?.message).toMatchObject({ state: 'open', consecutiveFailures: 1 })
    expect((change?.message as { request: unknown }).request).toBe(opener)
    expect((onCircuitChange.mock.calls[0]?.[0] as { request: unknown }).request).toBe(opener)
    expectNoSecret(after)
  })

  it('throttled: no upstream call, no span, counted by reason', async () => {
    const keepAlive = await keepAliveWith({
      refreshRateLimit: { perClientPerMinute: 1, clientKey: () => 'one-client' },
    })
    const before = await sdk.collect()
    // The limit budgets rejections: a made-up refresh-token that Corbado rejects spends it.
    const madeUp = (n: number) => {
      const token = `made-up-refresh-token-${String(n)}`
      secrets.push(token)
      return cookies({ cbo_refresh_token: token })
    }
    expect(await handle(keepAlive, madeUp(1), { id: 'first' })).toMatchObject({ action: 'ended' })
    await refreshSpan()
    sdk.spans.reset()
    const outcome = await handle(keepAlive, madeUp(2), { id: 'second' })
    expect(outcome).toMatchObject({ action: 'failed', failure: 'throttled' })
    expect(spansNamed(sdk, 'corbado.refresh')).toEqual([])
    const after = await sdk.collect()
    expect(
      growth(before, after)(REFRESHES, { [OUTCOME]: 'failed', 'error.type': 'throttled' }),
    ).toBe(1)
    expectNoSecret(after)
  })

  it('nests the JWKS and refresh spans under the app request span', async () => {
    const keepAlive = await keepAliveWith()
    const { header } = session()
    const tracer = trace.getTracer('the-app')
    const parent = await tracer.startActiveSpan('GET /dashboard', async (span) => {
      remember(await handle(keepAlive, header, { id: 'req' }))
      span.end()
      return span
    })
    const refresh = await refreshSpan()
    const [jwks] = spansNamed(sdk, 'corbado.jwks')
    expect(jwks).toBeDefined()
    for (const child of [refresh, jwks!]) {
      expect(child.spanContext().traceId).toBe(parent.spanContext().traceId)
      expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId)
    }
    expect(jwks!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.full': `${fake.url}/.well-known/jwks`,
      'http.response.status_code': 200,
    })
    expectNoSecret(await sdk.collect())
  })

  it('the tracing channel carries the request object, and hooks get it too', async () => {
    const onRefresh = vi.fn()
    const keepAlive = await keepAliveWith({ onRefresh })
    const raw = { id: 'req-77' }
    remember(await handle(keepAlive, session().header, raw))
    await refreshSpan()
    const start = messages.find((m) => m.channel.endsWith(':refresh:start'))
    const end = messages.find((m) => m.channel.endsWith(':refresh:asyncEnd'))
    expect((start?.message as { request: unknown }).request).toBe(raw)
    expect(start?.message).toMatchObject({ method: 'POST', url: `${fake.url}/v2/me/refresh` })
    expect(end?.message).toMatchObject({ result: { outcome: 'refreshed', status: 200 } })
    const event = onRefresh.mock.calls[0]?.[0] as { request: unknown }
    expect(event.request).toBe(raw)
    expect(JSON.stringify(event)).not.toContain('req-77')
    expectNoSecret(await sdk.collect())
  })

  it('publishes the metrics /metrics serves, under the names Prometheus derives from them', async () => {
    const keepAlive = await keepAliveWith()
    remember(await handle(keepAlive, session().header, { id: 'req' }))
    const points = await sdk.collect()
    const fromOpenTelemetry = new Set(
      points
        .filter((point) => point.name.startsWith('corbado.'))
        .map((point) => {
          const name = point.name.replace(/\./g, '_')
          if (point.unit === 's') return `${name}_seconds`
          return point.name.endsWith('.state') ? name : `${name}_total`
        }),
    )
    const prometheus = new Set(
      [...toPrometheusText(keepAlive.stats()).matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]),
    )
    expect(fromOpenTelemetry).toEqual(prometheus)
  })

  it('telemetry: false: no span and no metric of its own', async () => {
    const keepAlive = await keepAliveWith({ telemetry: false })
    const before = await sdk.collect()
    remember(await handle(keepAlive, session().header, { id: 'req' }))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(sdk.spans.getFinishedSpans()).toEqual([])
    expect(growth(before, await sdk.collect())(REFRESHES, { [OUTCOME]: 'refreshed' })).toBe(0)
    expect(keepAlive.stats().refreshes).toBe(1)
  })
})
