import Koa3 from 'koa'
import Koa2 from 'koa2'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { corbadoKeepAlive } from '../../src/koa.js'
import type { KeepAliveState, KoaKeepAliveMiddleware } from '../../src/koa.js'
import type { CorbadoSession } from '../../src/index.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { serverOf } from '../helpers/frameworks/koa.js'
import { cookies, listen, setCookieOf, valueOf } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'
import { nearExpirySession } from '../helpers/sessions.js'

type Context = Koa3.ParameterizedContext<KeepAliveState>

describe.each([
  { name: 'Koa 2', Koa: Koa2 },
  { name: 'Koa 3', Koa: Koa3 },
])('$name: Koa specifics', ({ Koa }) => {
  let fake: FakeCorbado

  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await fake.close()
  })

  /** An app with `before` mounted ahead of the keep-alive and `after` behind it. */
  async function serve(
    after: (ctx: Context) => Promise<void> | void,
    before?: (ctx: Context, next: Koa3.Next) => Promise<void>,
    onError?: (error: unknown) => void,
  ): Promise<{ server: RunningServer; middleware: KoaKeepAliveMiddleware<Context> }> {
    const app = new Koa<KeepAliveState>()
    app.silent = true
    if (onError !== undefined) app.on('error', onError)
    if (before !== undefined) app.use(before)
    const middleware = corbadoKeepAlive<Context>({
      projectId: fake.projectId,
      frontendApiUrl: fake.url,
    })
    app.use(middleware)
    app.use(after)
    return { server: await listen(serverOf(app)), middleware }
  }

  async function request(
    after: (ctx: Context) => Promise<void> | void,
    cookie: string,
    before?: (ctx: Context, next: Koa3.Next) => Promise<void>,
    onError?: (error: unknown) => void,
  ): Promise<Response> {
    const { server } = await serve(after, before, onError)
    try {
      return await fetch(server.url, { headers: { cookie }, redirect: 'manual' })
    } finally {
      await server.close()
    }
  }

  const expiring = (userId = 'usr-1') => nearExpirySession(fake, userId)

  it('ctx.cookies.get and ctx.get read the refreshed token, even when ctx.cookies was created earlier', async () => {
    const { sessionToken, header } = expiring()
    let read: Record<string, unknown> = {}
    const response = await request(
      (ctx) => {
        read = {
          cookies: ctx.cookies.get('cbo_session_token'),
          get: ctx.get('Cookie'),
          session: ctx.state.corbadoSession?.token,
        }
        ctx.body = 'ok'
      },
      header,
      async (ctx, next) => {
        // Koa caches ctx.cookies: one created before the rewrite must still see the new token.
        expect(ctx.cookies.get('cbo_session_token')).toBe(sessionToken)
        await next()
      },
    )
    const written = valueOf(setCookieOf(response, 'cbo_session_token'))
    expect(written).toBeDefined()
    expect(written).not.toBe(sessionToken)
    expect(read.cookies).toBe(written)
    expect(read.get).toContain(`cbo_session_token=${written}`)
    expect(read.session).toBe(written)
  })

  it('ctx.cookies loses the dead tokens when the session ended', async () => {
    const { refreshToken, header } = expiring()
    fake.revoke(refreshToken)
    let read: unknown[] = []
    await request((ctx) => {
      read = [
        ctx.cookies.get('cbo_session_token'),
        ctx.cookies.get('cbo_refresh_token'),
        ctx.state.corbadoSession,
      ]
      ctx.body = 'ok'
    }, `a=1; ${header}`)
    expect(read).toEqual([undefined, undefined, undefined])
  })

  it('ctx.state.corbadoSession has the shape of Express’s req.corbadoSession', async () => {
    const { header } = expiring('usr-3')
    let session: CorbadoSession | undefined
    await request((ctx) => {
      session = ctx.state.corbadoSession
      ctx.body = 'ok'
    }, header)
    expect(session).toEqual({
      userId: 'usr-3',
      claims: expect.objectContaining({ sub: 'usr-3', iss: fake.issuer }) as unknown,
      token: expect.any(String) as unknown,
      expiresAt: expect.any(Date) as unknown,
      refreshed: true,
    })
    expect(Object.keys(session!).sort()).toEqual([
      'claims',
      'expiresAt',
      'refreshed',
      'token',
      'userId',
    ])
  })

  it('a thrown error reaches the app’s error event, and the cookie survives Koa’s header reset', async () => {
    const { header } = expiring()
    const errors: unknown[] = []
    const failure = new Error('downstream failed')
    const response = await request(
      (ctx) => {
        ctx.cookies.set('theirs', '1')
        throw failure
      },
      header,
      undefined,
      (error) => errors.push(error),
    )
    expect(response.status).toBe(500)
    expect(errors).toEqual([failure])
    // Koa's onerror removes every header set before the error, downstream's cookie included.
    expect(setCookieOf(response, 'theirs')).toBeUndefined()
    expect(setCookieOf(response, 'cbo_session_token')).toBeDefined()
    expect(response.headers.get('cache-control')).toBe('private, no-store')
    expect(response.headers.get('vary')).toBe('Cookie')
  })

  it('ctx.throw with a status and headers: both kept, the cookie added', async () => {
    const { header } = expiring()
    const response = await request((ctx) => {
      ctx.throw(403, 'nope', { headers: { 'x-reason': 'policy' } })
    }, header)
    expect(response.status).toBe(403)
    expect(response.headers.get('x-reason')).toBe('policy')
    expect(setCookieOf(response, 'cbo_session_token')).toBeDefined()
  })

  it('an error handler mounted before the keep-alive sees the error and answers with the cookie', async () => {
    const { header } = expiring()
    let caught: unknown
    const response = await request(
      () => {
        throw new Error('downstream failed')
      },
      header,
      async (ctx, next) => {
        try {
          await next()
        } catch (error) {
          caught = error
          ctx.status = 418
          ctx.body = { error: 'handled' }
        }
      },
    )
    expect(caught).toBeInstanceOf(Error)
    expect(response.status).toBe(418)
    expect(await response.json()).toEqual({ error: 'handled' })
    expect(setCookieOf(response, 'cbo_session_token')).toBeDefined()
  })

  it('downstream runs once, after the keep-alive, on the hot path and on a refresh', async () => {
    const fresh = fake.login('usr-1')
    const calls: string[] = []
    const { server, middleware } = await serve((ctx) => {
      calls.push(ctx.state.corbadoSession?.refreshed === true ? 'refreshed' : 'fresh')
      ctx.body = 'ok'
    })
    try {
      const freshHeader = cookies({ cbo_session_token: fresh.sessionToken })
      await fetch(server.url, { headers: { cookie: freshHeader } })
      await fetch(server.url, { headers: { cookie: freshHeader } })
      await fetch(server.url, { headers: { cookie: expiring().header } })
    } finally {
      await server.close()
    }
    expect(calls).toEqual(['fresh', 'fresh', 'refreshed'])
    expect(middleware.stats()).toMatchObject({ refreshes: 1 })
  })
})

describe('Koa types', () => {
  it('fit Koa apps with their own state, and type ctx.state.corbadoSession', () => {
    const app = new Koa3<{ user?: string } & KeepAliveState>()
    app.use(corbadoKeepAlive({ projectId: 'pro-1' }))
    app.use((ctx) => {
      expectTypeOf(ctx.state.corbadoSession).toEqualTypeOf<CorbadoSession | undefined>()
      ctx.body = ctx.state.user
    })
    // Hooks receive the app's own context type when it is given.
    const typed = corbadoKeepAlive<Koa3.Context>({
      projectId: 'pro-1',
      getRefreshToken: (ctx) => ctx.get('x-refresh-token') || undefined,
      shouldRefresh: (ctx) => ctx.path !== '/health',
    })
    new Koa2().use(typed)
    expectTypeOf(typed).toHaveProperty('stats')
  })
})
