import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFetchKeepAlive, getCorbadoSession, withCorbadoKeepAlive } from '../../src/fetch.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { fetchBundleSize } from '../../bench/bundle-size.js'
import { cookies, listen, setCookieOf } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'

describe('corbado-keepalive/fetch', () => {
  let fake: FakeCorbado
  let upstream: RunningServer

  beforeAll(async () => {
    fake = await startFakeCorbado()
    upstream = await listen(
      createServer((_req, res) => {
        res.setHeader('set-cookie', 'up=1')
        res.end('from upstream')
      }),
    )
  })
  afterAll(async () => {
    await upstream.close()
    await fake.close()
  })

  const options = () => ({ projectId: fake.projectId, frontendApiUrl: fake.url })
  const expiring = () => {
    const { sessionToken, refreshToken } = fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    return cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken })
  }

  it('hands on the same Request and Response when nothing changes', async () => {
    const keepAlive = createFetchKeepAlive(options())
    const incoming = new Request('http://app.test/', {
      headers: { cookie: `cbo_session_token=${fake.login('usr-1').sessionToken}` },
    })
    const { session, request, finalize } = await keepAlive.handle(incoming)
    expect(session?.userId).toBe('usr-1')
    expect(request).toBe(incoming)
    expect(getCorbadoSession(request)).toBe(session)
    const response = new Response('ok')
    expect(finalize(response)).toBe(response)
  })

  it('streams a POST body to the rewritten request, with method and URL kept', async () => {
    const keepAlive = createFetchKeepAlive(options())
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('hello '))
        controller.enqueue(new TextEncoder().encode('world'))
        controller.close()
      },
    })
    const incoming = new Request('http://app.test/form?x=1', {
      method: 'POST',
      headers: { cookie: `a=1; ${expiring()}`, 'content-type': 'text/plain' },
      body,
      duplex: 'half',
    })
    const { request, session } = await keepAlive.handle(incoming)
    expect(session?.refreshed).toBe(true)
    expect(request).not.toBe(incoming)
    expect(request.method).toBe('POST')
    expect(request.url).toBe('http://app.test/form?x=1')
    expect(request.headers.get('content-type')).toBe('text/plain')
    expect(request.headers.get('cookie')).toContain(`cbo_session_token=${session!.token}`)
    expect(await request.text()).toBe('hello world')
  })

  it('leaves the incoming request’s body readable when the rewritten request is never read (SvelteKit, Astro)', async () => {
    const keepAlive = createFetchKeepAlive(options())
    const incoming = new Request('http://app.test/form', {
      method: 'POST',
      headers: { cookie: expiring(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    })
    const { session, finalize } = await keepAlive.handle(incoming)
    expect(session?.refreshed).toBe(true)
    expect(getCorbadoSession(incoming)).toBe(session)
    expect(new URLSearchParams(await incoming.text()).get('a')).toBe('1')
    expect(setCookieOf(finalize(new Response('ok')), 'cbo_session_token')).toContain(session!.token)
  })

  it('finalizes immutable responses: Response.redirect() and one returned by fetch()', async () => {
    const keepAlive = createFetchKeepAlive(options())
    const redirectResult = await keepAlive.handle(
      new Request('http://app.test/', { headers: { cookie: expiring() } }),
    )
    const redirect = redirectResult.finalize(Response.redirect('http://app.test/home', 303))
    expect(redirect.status).toBe(303)
    expect(redirect.headers.get('location')).toBe('http://app.test/home')
    expect(setCookieOf(redirect, 'cbo_session_token')).toBeDefined()
    expect(redirect.headers.get('cache-control')).toBe('private, no-store')

    const proxied = await keepAlive.handle(
      new Request('http://app.test/', { headers: { cookie: expiring() } }),
    )
    const response = proxied.finalize(await fetch(upstream.url))
    expect(
      response.headers
        .getSetCookie()
        .map((c) => c.split('=')[0])
        .sort(),
    ).toEqual(['cbo_session_token', 'up'])
    expect(response.headers.get('vary')).toBe('Cookie')
    expect(await response.text()).toBe('from upstream')
  })

  it("keeps the app's own session cookie over the refreshed one", async () => {
    const keepAlive = createFetchKeepAlive(options())
    const { finalize } = await keepAlive.handle(
      new Request('http://app.test/', { headers: { cookie: expiring() } }),
    )
    const response = finalize(
      new Response('bye', { headers: { 'set-cookie': 'cbo_session_token=; Max-Age=0' } }),
    )
    expect(response.headers.getSetCookie()).toEqual(['cbo_session_token=; Max-Age=0'])
  })

  it('withCorbadoKeepAlive passes the extra arguments on, and the client address to the rate limit', async () => {
    const seen: unknown[] = []
    const handler = withCorbadoKeepAlive<[{ ip: string }]>(
      { ...options(), refreshRateLimit: { perClientPerMinute: 1, unprovenPerSecond: 100 } },
      (request, server) => {
        seen.push([server.ip, getCorbadoSession(request)?.userId])
        return new Response('ok')
      },
      { clientAddress: (_request, server) => server.ip },
    )
    // A refresh-token alone proves no user, and the limit budgets what Corbado rejects: one
    // made-up refresh-token spends the client's budget of one.
    const from = (ip: string, refreshToken: string) =>
      handler(
        new Request('http://app.test/', {
          headers: { cookie: `cbo_refresh_token=${refreshToken}` },
        }),
        { ip },
      )
    await from('203.0.113.7', 'made-up-1')
    expect(handler.stats().failures.throttled).toBe(0)
    const restored = fake.login('usr-2').refreshToken
    expect(setCookieOf(await from('203.0.113.7', restored), 'cbo_session_token')).toBeUndefined()
    expect(handler.stats().failures.throttled).toBe(1)
    const elsewhere = await from('198.51.100.9', fake.login('usr-3').refreshToken)
    expect(setCookieOf(elsewhere, 'cbo_session_token')).toBeDefined()
    expect(seen).toEqual([
      ['203.0.113.7', undefined],
      ['203.0.113.7', undefined],
      ['198.51.100.9', 'usr-3'],
    ])
    expect(handler.stats().failures.throttled).toBe(1)
  })

  it('bundles for a Web runtime without a node: module, within 25 KB gzipped', async () => {
    const { gzippedBytes } = await fetchBundleSize()
    expect(gzippedBytes).toBeLessThanOrEqual(25 * 1024)
  })
})
