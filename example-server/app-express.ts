/**
 * The demo on Express: `corbadoKeepAlive` first, then the demo's routes.
 *
 * @module
 */
import express from 'express'
import type { Response } from 'express'
import { corbadoKeepAlive } from '../src/express.js'
import type { DemoApp } from './app.js'
import type { DemoResponse, DemoRoutes } from './routes.js'

/** Build the Express app for `routes`. */
export function createExpressDemo(routes: DemoRoutes): DemoApp {
  const app = express()
  app.disable('x-powered-by')
  const keepAlive = corbadoKeepAlive(routes.keepAliveOptions)
  app.use(keepAlive)
  app.use((req, res, next) => {
    routes
      .handle({
        method: req.method,
        url: req.originalUrl,
        cookieHeader: req.headers.cookie,
        session: req.corbadoSession,
        stats: keepAlive.stats(),
      })
      .then((answer) => {
        if (answer === undefined) next()
        else send(res, answer)
      }, next)
  })
  return { listener: app, stats: () => keepAlive.stats() }
}

function send(res: Response, answer: DemoResponse): void {
  res.status(answer.status)
  // The page shows per-user state: never cache it.
  res.setHeader('cache-control', 'no-store')
  if (answer.contentType !== undefined) res.type(answer.contentType)
  if (answer.location !== undefined) res.setHeader('location', answer.location)
  if (answer.setCookies.length > 0) res.append('set-cookie', [...answer.setCookies])
  res.send(answer.body)
}
