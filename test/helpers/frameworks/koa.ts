import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { PassThrough } from 'node:stream'
import type Koa3 from 'koa'
import { corbadoKeepAlive } from '../../../src/koa.js'
import type { KeepAliveState } from '../../../src/koa.js'
import type { KeepAliveOptions } from '../../../src/index.js'
import { listen } from '../http.js'
import { describeSession, WRITE_HEAD_ARRAY, wrap } from './harness.js'
import type { AppContext, FrameworkHarness, SeenByDownstream } from './harness.js'

type Context = Koa3.ParameterizedContext<KeepAliveState>
type Route = (ctx: Context, context: AppContext) => Promise<void> | void

// Written with Koa's own API; no router, so the same code runs on both majors.
const ROUTES: Readonly<Record<string, Route>> = {
  '/session': (ctx) => {
    ctx.body = {
      session: describeSession(ctx.state.corbadoSession),
      cookie: ctx.get('Cookie') || null,
    } satisfies SeenByDownstream
  },
  '/logout': (ctx) => {
    ctx.cookies.set('cbo_session_token', null, { path: '/', httpOnly: false })
    ctx.body = 'bye'
  },
  '/downstream-cookies': (ctx) => {
    ctx.set('Set-Cookie', ['c=3', 'd=4'])
    ctx.cookies.set('a', '1')
    ctx.append('Set-Cookie', 'b=2')
    ctx.body = { ok: true }
  },
  '/redirect': (ctx) => {
    ctx.redirect('/session')
  },
  '/stream': (ctx) => {
    ctx.status = 200
    ctx.type = 'text/plain'
    ctx.flushHeaders()
    const body = new PassThrough()
    ctx.body = body
    let i = 0
    const timer = setInterval(() => {
      body.write(`chunk ${i}\n`)
      if (++i === 3) {
        clearInterval(timer)
        body.end()
      }
    }, 5)
  },
  '/write-head': (ctx) => {
    ctx.respond = false
    ctx.res.writeHead(200, { 'Set-Cookie': 'w=1', 'Content-Type': 'text/plain' })
    ctx.res.end('raw')
  },
  '/write-head-array': (ctx) => {
    ctx.respond = false
    ctx.res.writeHead(200, [...WRITE_HEAD_ARRAY])
    ctx.res.end('raw')
  },
  '/throws': () => {
    throw new Error('downstream failed')
  },
  '/cacheable': (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=60')
    ctx.vary('Accept-Encoding')
    ctx.body = 'cached'
  },
  '/validate': async (ctx, context) => {
    const token = ctx.cookies.get('cbo_session_token')
    if (token === undefined || context.validateToken === undefined) {
      ctx.status = 401
      ctx.body = { error: 'no session' }
      return
    }
    ctx.body = await context.validateToken(token)
  },
}

/** A Node server for `app`. Koa's handler settles every request itself and never rejects. */
export function serverOf(app: Koa3): Server {
  const handle = app.callback()
  return createServer((req, res) => {
    void handle(req, res)
  })
}

/** The harness for one Koa major: the shared routes written with Koa's API. */
export function koaHarness(name: string, Koa: typeof Koa3): FrameworkHarness {
  return {
    name,
    async start(options, context = {}) {
      const app = new Koa<KeepAliveState>()
      // Errors still go through Koa's default handling (ctx.onerror); only the log is silenced.
      app.silent = true
      const middleware = corbadoKeepAlive<Context>(options as KeepAliveOptions<Context>)
      app.use(middleware)
      app.use(async (ctx) => {
        const route = ROUTES[ctx.path]
        if (route !== undefined) await route(ctx, context)
      })
      return wrap(await listen(serverOf(app)), () => middleware.stats())
    },
  }
}
