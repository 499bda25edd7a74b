/**
 * The demo's routes, framework-free: the Express and Koa apps only translate requests and
 * responses, so both show exactly the same thing.
 *
 * Forms post without CSRF tokens: the cookies are `SameSite=Lax`, so a cross-site POST carries
 * none of them. Good enough for a local demo, not a pattern for production.
 *
 * @module
 */
import { parseCookie } from 'cookie'
import { MemoryCoordinator, PROMETHEUS_CONTENT_TYPE, toPrometheusText } from '../src/index.js'
import type { CorbadoSession, KeepAliveOptions, KeepAliveStats } from '../src/index.js'
import { createActivity } from './activity.js'
import { loginCookies, logoutCookies, REFRESH_COOKIE } from './login-cookies.js'
import { renderPage, renderPanel } from './page.js'
import type { PageModel } from './page.js'
import type { Provider } from './provider.js'
import { DEMO_USERS } from './users.js'

/** What the routes need to know about the running demo. */
export interface DemoSettings {
  readonly provider: Provider
  readonly framework: 'Express' | 'Koa'
  readonly secureCookies: boolean
  /** Lifetime of the fake's session-tokens; `undefined` against a real project. */
  readonly sessionLifetimeSeconds: number | undefined
  /** `undefined`: the package's default. */
  readonly refreshBeforeExpirySeconds: number | undefined
}

/** One request, after the keep-alive middleware ran. */
export interface DemoRequest {
  readonly method: string
  /** Path and query string. */
  readonly url: string
  /** The Cookie header as the middleware left it. */
  readonly cookieHeader: string | undefined
  readonly session: CorbadoSession | undefined
  readonly stats: KeepAliveStats
}

/** What to answer. */
export interface DemoResponse {
  readonly status: number
  readonly contentType?: string
  readonly location?: string
  readonly setCookies: readonly string[]
  readonly body: string
}

/** The routes and the keep-alive options they go with. */
export interface DemoRoutes {
  /** Options for `corbadoKeepAlive`: the provider, the short threshold, and activity hooks. */
  readonly keepAliveOptions: KeepAliveOptions
  /** Answer `request`, or `undefined` when no route matches. */
  handle(request: DemoRequest): Promise<DemoResponse | undefined>
}

/** Package default, repeated to build the logout URL against a real project. */
const defaultFrontendApiUrl = (projectId: string): string =>
  `https://${projectId}.frontendapi.cloud.corbado.io`

/** Create the demo's routes for `settings`. */
export function createDemoRoutes(settings: DemoSettings): DemoRoutes {
  const { provider, secureCookies } = settings
  const { fake } = provider
  const activity = createActivity()
  let outage = false

  const keepAliveOptions: KeepAliveOptions = {
    projectId: provider.projectId,
    ...(provider.frontendApiUrl === undefined ? {} : { frontendApiUrl: provider.frontendApiUrl }),
    ...(settings.refreshBeforeExpirySeconds === undefined
      ? {}
      : { refreshBeforeExpirySeconds: settings.refreshBeforeExpirySeconds }),
    cookie: { secure: secureCookies },
    ...coordinatorFor(settings),
    ...activity.hooks,
  }

  const redirectHome = (setCookies: readonly string[] = []): DemoResponse => ({
    status: 303,
    location: '/',
    setCookies,
    body: '',
  })
  const html = (body: string): DemoResponse => ({
    status: 200,
    contentType: 'text/html; charset=utf-8',
    setCookies: [],
    body,
  })

  const model = (request: DemoRequest): PageModel => ({
    framework: settings.framework,
    provider: fake === undefined ? 'corbado' : 'fake',
    projectId: provider.projectId,
    frontendApiUrl: provider.frontendApiUrl ?? defaultFrontendApiUrl(provider.projectId),
    sessionLifetimeSeconds: settings.sessionLifetimeSeconds,
    refreshBeforeExpirySeconds: settings.refreshBeforeExpirySeconds ?? 60,
    session: request.session,
    hasRefreshCookie: refreshTokenIn(request.cookieHeader) !== undefined,
    stats: request.stats,
    events: activity.events,
    outage,
    users: DEMO_USERS,
  })

  async function logoutAtProvider(refreshToken: string): Promise<void> {
    const base = provider.frontendApiUrl ?? defaultFrontendApiUrl(provider.projectId)
    try {
      await fetch(`${base}/v2/me/logout`, {
        method: 'POST',
        headers: {
          'x-corbado-projectid': provider.projectId,
          authorization: `Bearer ${refreshToken}`,
        },
        signal: AbortSignal.timeout(3000),
      })
    } catch {
      // Best effort: the cookies are cleared either way, and an outage must not block sign-out.
    }
  }

  async function handle(request: DemoRequest): Promise<DemoResponse | undefined> {
    const url = new URL(request.url, 'http://demo.invalid')
    const refreshToken = refreshTokenIn(request.cookieHeader)
    switch (`${request.method} ${url.pathname}`) {
      case 'GET /':
        return html(renderPage(model(request)))
      case 'GET /panel':
        return html(renderPanel(model(request)))
      case 'GET /api/session': {
        const { session } = request
        const body =
          session === undefined
            ? { signedIn: false }
            : {
                signedIn: true,
                userId: session.userId,
                expiresAt: session.expiresAt.toISOString(),
                refreshed: session.refreshed,
              }
        return {
          status: 200,
          contentType: 'application/json',
          setCookies: [],
          body: JSON.stringify(body),
        }
      }
      case 'GET /metrics':
        // What a Prometheus server scrapes: the same metrics as the OpenTelemetry ones.
        return {
          status: 200,
          contentType: PROMETHEUS_CONTENT_TYPE,
          setCookies: [],
          body: toPrometheusText(request.stats),
        }
      case 'POST /sign-in': {
        const user = DEMO_USERS.find(({ id }) => id === url.searchParams.get('user'))
        if (fake === undefined || user === undefined) return redirectHome()
        const tokens = fake.login(user.id, { name: user.name, email: user.email })
        return redirectHome(loginCookies(tokens, secureCookies))
      }
      case 'POST /sign-out':
        if (refreshToken !== undefined) await logoutAtProvider(refreshToken)
        return redirectHome(logoutCookies(secureCookies))
      case 'POST /revoke':
        if (refreshToken !== undefined) fake?.revoke(refreshToken)
        return redirectHome()
      case 'POST /outage':
        outage = fake !== undefined && !outage
        fake?.setFault(outage ? { type: 'status', status: 503 } : undefined)
        return redirectHome()
      default:
        return undefined
    }
  }

  return { keepAliveOptions, handle }
}

function refreshTokenIn(cookieHeader: string | undefined): string | undefined {
  const value = parseCookie(cookieHeader ?? '')[REFRESH_COOKIE]
  return value === '' ? undefined : value
}

/**
 * The default coordinator reuses a refresh's result for 5 s (never past the token's expiry).
 * With the demo's seconds-long tokens a reused token could already be inside the refresh window,
 * so reuse it at most half of the time a fresh token stays outside it (one second less: `exp` is
 * whole seconds).
 */
function coordinatorFor(settings: DemoSettings): Pick<KeepAliveOptions, 'coordinator'> {
  const lifetime = settings.sessionLifetimeSeconds
  if (lifetime === undefined) return {}
  const freshMs = (lifetime - (settings.refreshBeforeExpirySeconds ?? 60) - 1) * 1000
  const resultTtlMs = Math.floor(Math.min(5000, Math.max(1, freshMs / 2)))
  return { coordinator: new MemoryCoordinator({ resultTtlMs }) }
}
