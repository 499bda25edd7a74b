import { createServer } from 'node:http'
import type { Server } from 'node:http'
import express5 from 'express'
import express4 from 'express4'
import type { NextFunction, Request, Response as ExpressResponse } from 'express'
import { corbadoKeepAlive } from '../../src/express.js'
import type { KeepAliveOptions, KeepAliveStats } from '../../src/index.js'
import { listen } from './http.js'
import type { RunningServer } from './http.js'

/** What `GET /session` answers: what downstream saw. */
export interface SeenByDownstream {
  session: { userId: string; token: string; refreshed: boolean; expiresAt: string } | null
  cookie: string | null
}

/** Extra capabilities a test can give the app's routes. */
export interface AppContext {
  /** Used by `GET /validate`: validate the request's session cookie like an app would. */
  validateToken?: (token: string) => Promise<{ userId: string }>
}

/**
 * A running app with the keep-alive mounted first. Every framework harness serves the same
 * routes, each written with that framework's own API:
 * - `GET /session`: JSON of what downstream saw ({@link SeenByDownstream});
 * - `GET /logout`: downstream clears `cbo_session_token` itself;
 * - `GET /downstream-cookies`: downstream sets `a`, `b` (cookie API / append) and `c`, `d`
 *   (`Set-Cookie` header set as an array);
 * - `GET /redirect`: 302 to `/session`;
 * - `GET /stream`: headers flushed first, then a body streamed in chunks;
 * - `GET /write-head`: `writeHead(200, { 'Set-Cookie': 'w=1' })` on the raw response;
 * - `GET /throws`: the handler throws; the framework answers 500;
 * - `GET /validate`: validates the session cookie with {@link AppContext.validateToken}.
 */
export interface TestApp extends RunningServer {
  /** Send a request (GET unless `init.method`) with an optional Cookie header. */
  get(path: string, cookie?: string, init?: RequestInit): Promise<Response>
  /** GET /session and parse what downstream saw. */
  seen(cookie?: string): Promise<{ response: Response; seen: SeenByDownstream }>
  /** The middleware's counters. */
  stats(): KeepAliveStats
}

/** A framework major the scenario suite runs against. */
export interface FrameworkHarness {
  readonly name: string
  start(options: KeepAliveOptions<never>, context?: AppContext): Promise<TestApp>
}

function wrap(server: RunningServer, stats: () => KeepAliveStats): TestApp {
  const get = (path: string, cookie?: string, init: RequestInit = {}) =>
    fetch(server.url + path, {
      redirect: 'manual',
      ...init,
      headers: {
        ...(cookie === undefined ? {} : { cookie }),
        ...(init.headers as Record<string, string> | undefined),
      },
    })
  return {
    ...server,
    get,
    stats,
    async seen(cookie) {
      const response = await get('/session', cookie)
      return { response, seen: (await response.json()) as SeenByDownstream }
    },
  }
}

/** Read the session cookie from a Cookie header (what an app's own code would do). */
function sessionCookieIn(header: string | undefined): string | undefined {
  return header
    ?.split(';')
    .map((pair) => pair.trim())
    .find((pair) => pair.startsWith('cbo_session_token='))
    ?.slice('cbo_session_token='.length)
}

function expressHarness(name: string, express: typeof express5): FrameworkHarness {
  return {
    name,
    async start(options, context = {}) {
      const app = express()
      const middleware = corbadoKeepAlive<Request>(options as KeepAliveOptions<Request>)
      app.use(middleware)
      app.get('/session', (req: Request, res: ExpressResponse) => {
        const s = req.corbadoSession
        res.json({
          session:
            s === undefined
              ? null
              : {
                  userId: s.userId,
                  token: s.token,
                  refreshed: s.refreshed,
                  expiresAt: s.expiresAt.toISOString(),
                },
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
      app.get('/throws', () => {
        throw new Error('downstream failed')
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

/** Every framework major the shared scenarios run on. */
export const FRAMEWORKS: readonly FrameworkHarness[] = [
  expressHarness('Express 4', express4),
  expressHarness('Express 5', express5),
]
