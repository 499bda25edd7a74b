import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import type { MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import { etag } from 'hono/etag'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { corbadoKeepAlive } from '../../src/hono.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { cookies, listen, setCookieOf, valueOf } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'

describe('corbado-keepalive/hono with other middleware', () => {
  let fake: FakeCorbado
  let app: RunningServer

  beforeAll(async () => {
    fake = await startFakeCorbado()
    const hono = new Hono()
    // A body-logging or validating middleware mounted first: it reads (and Hono caches) the body.
    hono.use('/items', async (c, next) => {
      await c.req.json()
      await next()
    })
    hono.use(corbadoKeepAlive({ projectId: fake.projectId, frontendApiUrl: fake.url }))
    hono.get('/page', etag(), (c) => c.text('the same page'))
    hono.post('/items', async (c) =>
      c.json({
        body: await c.req.json<unknown>(),
        // What a hop that forwards `c.req.raw` (Hono's proxy helper) would announce.
        contentLength:
          c.req.raw.body === null ? (c.req.header('content-length') ?? null) : 'a body',
        token: getCookie(c, 'cbo_session_token') ?? null,
        user: c.get('corbadoSession')?.userId ?? null,
      }),
    )
    app = await listen(createAdaptorServer({ fetch: hono.fetch }) as Server)
  })
  afterAll(async () => {
    await app.close()
    await fake.close()
  })

  it('refreshes without a 500, and downstream reads the body and the fresh token', async () => {
    const { sessionToken, refreshToken } = fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    const response = await fetch(`${app.url}/items`, {
      method: 'POST',
      headers: {
        cookie: cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'a' }),
    })
    expect(response.status).toBe(200)
    const fresh = valueOf(setCookieOf(response, 'cbo_session_token'))
    expect(fresh).toBeDefined()
    expect(fresh).not.toBe(sessionToken)
    expect(await response.json()).toEqual({
      body: { name: 'a' },
      contentLength: null,
      token: fresh,
      user: 'usr-1',
    })
    expect(fake.refreshCount).toBe(1)
  })

  it('mounted before etag(), keeps the fresh cookie on the 304 etag() makes', async () => {
    const first = await fetch(`${app.url}/page`)
    const tag = first.headers.get('etag')
    expect(tag).not.toBeNull()
    const { sessionToken, refreshToken } = fake.login('usr-2', { sessionLifetimeSeconds: 30 })
    const response = await fetch(`${app.url}/page`, {
      headers: {
        cookie: cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
        'if-none-match': tag!,
      },
    })
    expect(response.status).toBe(304)
    const fresh = valueOf(setCookieOf(response, 'cbo_session_token'))
    expect(fresh).toBeDefined()
    expect(fresh).not.toBe(sessionToken)
    expect(response.headers.get('cache-control')).toBe('private, no-store')
  })
})

describe('corbado-keepalive/hono and a handler that returns no response', () => {
  it('leaves the mistake to Hono, as an `await next()` middleware does: its onError answers', async () => {
    const middlewares: MiddlewareHandler[] = [
      async (_c, next) => {
        await next()
      },
      corbadoKeepAlive({ projectId: 'pro-1234567890' }),
    ]
    const answers = []
    for (const middleware of middlewares) {
      const hono = new Hono()
      hono.onError((error, c) => c.text(`onError: ${error.message}`, 500))
      hono.use(middleware)
      hono.get('/', () => undefined as unknown as Response)
      const response: unknown = await hono.request('/')
      expect(response).toBeInstanceOf(Response)
      answers.push([(response as Response).status, await (response as Response).text()])
    }
    expect(answers[1]).toEqual(answers[0])
    expect(answers[0]?.[0]).toBe(500)
  })
})
