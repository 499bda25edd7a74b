import { createServer } from 'node:http'
import express5 from 'express'
import express4 from 'express4'
import type { Express, Request, Response } from 'express'
import { corbadoKeepAlive } from '../../src/express.js'
import type { KeepAliveMiddleware } from '../../src/express.js'
import type { KeepAliveOptions } from '../../src/index.js'
import { listen } from './http.js'
import type { RunningServer } from './http.js'

/** Both supported Express majors, for `describe.each`. */
export const EXPRESS_MAJORS = [
  { name: 'Express 4', express: express4 as unknown as typeof express5 },
  { name: 'Express 5', express: express5 },
] as const

export type ExpressFactory = typeof express5

/** What `GET /session` answers: what downstream saw. */
export interface SeenByDownstream {
  session: { userId: string; token: string; refreshed: boolean; expiresAt: string } | null
  cookie: string | null
}

export interface ExpressTestApp extends RunningServer {
  readonly app: Express
  readonly middleware: KeepAliveMiddleware<Request>
  /** GET `path` with a Cookie header. */
  get(path: string, cookie?: string, init?: RequestInit): Promise<Response>
  /** GET /session and parse what downstream saw. */
  seen(cookie?: string): Promise<{ response: Response; seen: SeenByDownstream }>
}

/**
 * Start an Express app with the keep-alive mounted first and a `GET /session` route that echoes
 * what downstream saw. `routes` adds more routes before it.
 */
export async function startExpressApp(
  express: ExpressFactory,
  options: KeepAliveOptions<Request>,
  routes?: (app: Express) => void,
  before?: (app: Express) => void,
): Promise<ExpressTestApp> {
  const app = express()
  before?.(app)
  const middleware = corbadoKeepAlive<Request>(options)
  app.use(middleware)
  routes?.(app)
  app.get('/session', (req: Request, res: Response) => {
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
  const server = await listen(createServer(app))
  const get = (path: string, cookie?: string, init: RequestInit = {}) =>
    fetch(server.url + path, {
      redirect: 'manual',
      ...init,
      headers: {
        ...(cookie === undefined ? {} : { cookie }),
        ...(init.headers as Record<string, string>),
      },
    })
  return {
    ...server,
    app,
    middleware,
    get,
    async seen(cookie) {
      const response = await get('/session', cookie)
      return { response, seen: (await response.json()) as SeenByDownstream }
    },
  }
}
