import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type express5 from 'express'
import type { NextFunction, Request, Response as ExpressResponse } from 'express'
import { corbadoKeepAlive } from '../../../src/express.js'
import type { KeepAliveOptions } from '../../../src/index.js'
import { listen } from '../http.js'
import { describeSession, sessionCookieIn, WRITE_HEAD_ARRAY, wrap } from './harness.js'
import type { FrameworkHarness, SeenByDownstream } from './harness.js'

/** The harness for one Express major: the shared routes written with Express's API. */
export function expressHarness(name: string, express: typeof express5): FrameworkHarness {
  return {
    name,
    async start(options, context = {}) {
      const app = express()
      const middleware = corbadoKeepAlive<Request>(options as KeepAliveOptions<Request>)
      app.use(middleware)
      app.get('/session', (req: Request, res: ExpressResponse) => {
        res.json({
          session: describeSession(req.corbadoSession),
          cookie: req.headers.cookie ?? null,
        } satisfies SeenByDownstream)
      })
      app.get('/logout', (_req: Request, res: ExpressResponse) => {
        res.clearCookie('cbo_session_token', { path: '/' })
        res.send('bye')
      })
      app.get('/downstream-cookies', (_req: Request, res: ExpressResponse) => {
        res.setHeader('Set-Cookie', ['c=3', 'd=4'])
        res.cookie('a', '1')
        res.append('Set-Cookie', 'b=2')
        res.json({ ok: true })
      })
      app.get('/redirect', (_req: Request, res: ExpressResponse) => {
        res.redirect(302, '/session')
      })
      app.get('/stream', (_req: Request, res: ExpressResponse) => {
        res.setHeader('content-type', 'text/plain')
        res.flushHeaders()
        let i = 0
        const timer = setInterval(() => {
          res.write(`chunk ${i}\n`)
          if (++i === 3) {
            clearInterval(timer)
            res.end()
          }
        }, 5)
      })
      app.get('/write-head', (_req: Request, res: ExpressResponse) => {
        res.writeHead(200, { 'Set-Cookie': 'w=1', 'Content-Type': 'text/plain' })
        res.end('raw')
      })
      app.get('/write-head-array', (_req: Request, res: ExpressResponse) => {
        res.writeHead(200, [...WRITE_HEAD_ARRAY])
        res.end('raw')
      })
      app.get('/throws', () => {
        throw new Error('downstream failed')
      })
      app.get('/cacheable', (_req: Request, res: ExpressResponse) => {
        res.set('Cache-Control', 'public, max-age=60')
        res.vary('Accept-Encoding')
        res.send('cached')
      })
      app.get('/validate', (req: Request, res: ExpressResponse, next: NextFunction) => {
        const token = sessionCookieIn(req.headers.cookie)
        if (token === undefined || context.validateToken === undefined) {
          res.status(401).json({ error: 'no session' })
          return
        }
        context.validateToken(token).then((user) => res.json(user), next)
      })
      app.use((error: Error, _req: Request, res: ExpressResponse, _next: NextFunction) => {
        res.status(500).json({ error: error.message })
      })
      const server: Server = createServer(app)
      return wrap(await listen(server), () => middleware.stats())
    },
  }
}
