import { createAdaptorServer } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono } from 'hono'
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { stream } from 'hono/streaming'
import { corbadoKeepAlive } from '../../../src/hono.js'
import type { KeepAliveOptions } from '../../../src/hono.js'
import { listen } from '../http.js'
import { describeSession, headerPairs, wrap, WRITE_HEAD_ARRAY } from './harness.js'
import type { FrameworkHarness, SeenByDownstream } from './harness.js'
import type { Server } from 'node:http'

/** Hono 4 on `@hono/node-server`: the shared routes written with Hono's API. */
export function honoHarness(name: string): FrameworkHarness {
  return {
    name,
    async start(options, context = {}) {
      const middleware = corbadoKeepAlive(options as KeepAliveOptions<Context>, {
        clientAddress: (c) => getConnInfo(c).remote.address,
      })
      const app = new Hono()
      app.use(middleware)
      app.get('/session', (c) =>
        c.json({
          session: describeSession(c.get('corbadoSession')),
          cookie: c.req.header('cookie') ?? null,
        } satisfies SeenByDownstream),
      )
      app.get('/logout', (c) => {
        deleteCookie(c, 'cbo_session_token', { path: '/' })
        return c.text('bye')
      })
      app.get('/downstream-cookies', (c) => {
        c.header('Set-Cookie', 'c=3', { append: true })
        c.header('Set-Cookie', 'd=4', { append: true })
        setCookie(c, 'a', '1')
        c.header('Set-Cookie', 'b=2', { append: true })
        return c.json({ ok: true })
      })
      app.get('/redirect', (c) => c.redirect('/session', 302))
      app.get('/stream', (c) => {
        c.header('content-type', 'text/plain')
        return stream(c, async (s) => {
          for (let i = 0; i < 3; i++) {
            await s.write(`chunk ${i}\n`)
            await s.sleep(5)
          }
        })
      })
      // The closest Hono has to writeHead: a raw Response returned as it is.
      app.get(
        '/write-head',
        () =>
          new Response('raw', { headers: { 'Set-Cookie': 'w=1', 'Content-Type': 'text/plain' } }),
      )
      app.get(
        '/write-head-array',
        () => new Response('raw', { headers: headerPairs(WRITE_HEAD_ARRAY) }),
      )
      app.get('/throws', () => {
        throw new Error('downstream failed')
      })
      app.get('/cacheable', (c) => {
        c.header('Cache-Control', 'public, max-age=60')
        c.header('Vary', 'Accept-Encoding')
        return c.text('cached')
      })
      app.get('/validate', async (c) => {
        const token = getCookie(c, 'cbo_session_token')
        if (token === undefined || context.validateToken === undefined) {
          return c.json({ error: 'no session' }, 401)
        }
        return c.json(await context.validateToken(token))
      })
      app.onError((error, c) => c.json({ error: error.message }, 500))
      const server = createAdaptorServer({ fetch: app.fetch }) as Server
      return wrap(await listen(server), () => middleware.stats())
    },
  }
}
