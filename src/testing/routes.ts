/**
 * The Frontend API v2 routes the fake serves.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendError } from './error-envelope.js'
import { bearerToken, REFRESH_COOKIES, refreshCookie, refreshTokenOf, sendJson } from './http.js'
import type { KeyRing } from './keys.js'
import type { FakeUser, SessionStore } from './sessions.js'
import type { FakeRoute } from './types.js'

/** One request being answered. */
export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  /** A `performance.now()` reading taken at arrival. */
  startedAt: number
  /** The drained request body (at most 1 MB). */
  body: Buffer
}

/** Answers one request. */
export type Handler = (ctx: RequestContext) => void

/** A route of the API table. */
export interface ApiRoute {
  method: string
  route: FakeRoute
  run: Handler
}

/** What the routes need from the fake. */
export interface ApiDeps {
  store: SessionStore
  keys: KeyRing
  projectId: string
  issuer: string
  url: string
  cookieDomain: string | undefined
  lifetimeSeconds: number
  /** Mint a session-token for `userId` living `lifetimeSeconds`. */
  mint: (userId: string, lifetimeSeconds: number) => string
}

/** The API routes by pathname. */
export function createApiHandlers(deps: ApiDeps): ReadonlyMap<string, ApiRoute> {
  const { store, keys, projectId } = deps

  // Corbado answers 4xx `project_id_mismatch`; the exact status is unknown, 400 is the likely one.
  const projectOk = ({ req, res, startedAt }: RequestContext): boolean => {
    const got = req.headers['x-corbado-projectid']
    if (got === projectId) return true
    const message = got === undefined ? 'X-Corbado-ProjectID missing' : 'project ID mismatch'
    sendError(res, 400, 'project_id_mismatch', message, startedAt)
    return false
  }

  const unauthorized = ({ res, startedAt }: RequestContext): void => {
    sendError(res, 401, 'unauthorized', 'session is invalid, expired or revoked', startedAt)
  }

  const cookieConfig = {
    domain: deps.cookieDomain ?? '',
    secure: true,
    sameSite: 'lax',
    path: '/',
    lifetimeSeconds: deps.lifetimeSeconds,
  }

  // `/v2/me` also takes a session-token as bearer, as the FAPI did in 2024.
  const meUser = (req: IncomingMessage): FakeUser | undefined => {
    const session = store.active(refreshTokenOf(req))
    if (session !== undefined) return store.user(session.userId)
    const bearer = bearerToken(req)
    const claims = bearer === undefined ? undefined : keys.verify(bearer, Date.now() / 1000)
    if (claims?.iss !== deps.issuer || typeof claims.sub !== 'string') return undefined
    return store.user(claims.sub)
  }

  return new Map<string, ApiRoute>([
    [
      '/.well-known/jwks',
      {
        method: 'GET',
        route: 'jwks',
        run: ({ res }) => {
          sendJson(res, 200, keys.jwks())
        },
      },
    ],
    [
      '/v2/session-config',
      {
        method: 'GET',
        route: 'session-config',
        run: (ctx) => {
          if (!projectOk(ctx)) return
          sendJson(ctx.res, 200, {
            useSessionManagement: true,
            sessionTokenCookieConfig: cookieConfig,
            shortSessionCookieConfig: cookieConfig,
            frontendApiUrl: deps.url,
          })
        },
      },
    ],
    [
      '/v2/process-config',
      {
        method: 'GET',
        route: 'process-config',
        run: (ctx) => {
          if (!projectOk(ctx)) return
          sendJson(ctx.res, 200, { useServerSideProcessId: false, frontendApiUrl: deps.url })
        },
      },
    ],
    [
      '/v2/me/refresh',
      {
        method: 'POST',
        route: 'refresh',
        run: (ctx) => {
          if (!projectOk(ctx)) return
          const session = store.active(refreshTokenOf(ctx.req))
          if (session === undefined) {
            unauthorized(ctx)
            return
          }
          const token = deps.mint(session.userId, session.lifetimeSeconds)
          sendJson(ctx.res, 200, { shortSession: token, sessionToken: token })
        },
      },
    ],
    [
      '/v2/me/logout',
      {
        method: 'POST',
        route: 'logout',
        run: (ctx) => {
          if (!projectOk(ctx)) return
          if (!store.end(refreshTokenOf(ctx.req))) {
            unauthorized(ctx)
            return
          }
          const cleared = REFRESH_COOKIES.map((name) =>
            refreshCookie(name, undefined, deps.cookieDomain),
          )
          ctx.res.writeHead(204, { 'set-cookie': cleared })
          ctx.res.end()
        },
      },
    ],
    [
      '/v2/me',
      {
        method: 'GET',
        route: 'me',
        run: (ctx) => {
          if (!projectOk(ctx)) return
          const user = meUser(ctx.req)
          if (user === undefined) {
            unauthorized(ctx)
            return
          }
          const identifiers =
            user.email === undefined
              ? []
              : [{ id: user.identifierId, value: user.email, type: 'email', status: 'verified' }]
          sendJson(ctx.res, 200, {
            id: user.id,
            fullName: user.name,
            identifiers,
            socialAccounts: [],
          })
        },
      },
    ],
  ])
}
