/**
 * The demo on Koa: `corbadoKeepAlive` from `corbado-keepalive/koa` first, then the demo's routes.
 *
 * @module
 */
import Koa from 'koa'
import type { Context } from 'koa'
import { corbadoKeepAlive } from '../src/koa.js'
import type { KeepAliveState } from '../src/koa.js'
import type { DemoApp } from './app.js'
import type { DemoRoutes } from './routes.js'

/** Build the Koa app for `routes`. */
export function createKoaDemo(routes: DemoRoutes): DemoApp {
  const app = new Koa<KeepAliveState>()
  const keepAlive = corbadoKeepAlive<Context>(routes.keepAliveOptions)
  app.use(keepAlive)
  app.use(async (ctx, next) => {
    const answer = await routes.handle({
      method: ctx.method,
      url: ctx.originalUrl,
      cookieHeader: ctx.req.headers.cookie,
      session: ctx.state.corbadoSession,
      stats: keepAlive.stats(),
    })
    if (answer === undefined) {
      await next()
      return
    }
    ctx.status = answer.status
    // The page shows per-user state: never cache it.
    ctx.set('cache-control', 'no-store')
    if (answer.contentType !== undefined) ctx.type = answer.contentType
    if (answer.location !== undefined) ctx.set('location', answer.location)
    if (answer.setCookies.length > 0) ctx.append('set-cookie', [...answer.setCookies])
    ctx.body = answer.body
  })
  const callback = app.callback()
  return {
    listener: (req, res) => {
      // Koa answers its own errors; the promise never rejects.
      void callback(req, res)
    },
    stats: () => keepAlive.stats(),
  }
}
