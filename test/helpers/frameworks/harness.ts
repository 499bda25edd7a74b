import type { KeepAliveOptions, KeepAliveStats } from '../../../src/index.js'
import type { RunningServer } from '../http.js'

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
 * - `GET /write-head-array`: `writeHead(200, WRITE_HEAD_ARRAY)`: raw array headers marking the
 *   response publicly cacheable (also for CDNs) and setting two cookies of their own;
 * - `GET /throws`: the handler throws; the framework answers 500;
 * - `GET /cacheable`: downstream marks the response `Cache-Control: public, max-age=60` and
 *   `Vary: Accept-Encoding`;
 * - `GET /validate`: validates the session cookie with {@link AppContext.validateToken}.
 */
export interface TestApp extends RunningServer {
  /** Send a request (GET unless `init.method`) with an optional Cookie header. */
  get(path: string, cookie?: string, init?: RequestInit): Promise<Response>
  /** GET /session and parse what downstream saw. */
  seen(cookie?: string): Promise<{ response: Response; seen: SeenByDownstream }>
  /** The middleware's counters (over HTTP for a runtime in another process). */
  stats(): KeepAliveStats | Promise<KeepAliveStats>
}

/** A framework major the scenario suite runs against. */
export interface FrameworkHarness {
  readonly name: string
  start(options: KeepAliveOptions<never>, context?: AppContext): Promise<TestApp>
  /** Stop what outlives one app (a runtime process); called after each describe block. */
  stop?(): Promise<void>
}

/** The raw `[name, value, name, value, …]` headers that `GET /write-head-array` writes. */
export const WRITE_HEAD_ARRAY: readonly string[] = [
  'Cache-Control',
  'public, max-age=3600',
  'CDN-Cache-Control',
  'max-age=3600',
  'Surrogate-Control',
  'max-age=3600',
  'Vary',
  'Accept-Encoding',
  'Set-Cookie',
  'w=1',
  'Set-Cookie',
  'x=2',
  'Content-Type',
  'text/plain',
]

/**
 * {@link WRITE_HEAD_ARRAY} as `[name, value]` pairs: what `GET /write-head-array` answers with on
 * Web `Response`s, whose headers take the same list.
 */
export function headerPairs(flat: readonly string[]): [string, string][] {
  const pairs: [string, string][] = []
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!])
  return pairs
}

/** The session as `GET /session` reports it. */
export function describeSession(
  s: { userId: string; token: string; refreshed: boolean; expiresAt: Date } | undefined,
): SeenByDownstream['session'] {
  return s === undefined
    ? null
    : {
        userId: s.userId,
        token: s.token,
        refreshed: s.refreshed,
        expiresAt: s.expiresAt.toISOString(),
      }
}

/** A {@link TestApp} around a running server. */
export function wrap(server: RunningServer, stats: TestApp['stats']): TestApp {
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
export function sessionCookieIn(header: string | undefined): string | undefined {
  return header
    ?.split(';')
    .map((pair) => pair.trim())
    .find((pair) => pair.startsWith('cbo_session_token='))
    ?.slice('cbo_session_token='.length)
}
