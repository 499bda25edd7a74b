/**
 * The demo page: who is signed in, the session-token's countdown, the keep-alive's counters and
 * its last events. Server-rendered; `GET /panel` re-renders the live part for the page's poller.
 * Token values never appear: only the user, the expiry and the last characters of the `jti`.
 *
 * @module
 */
import type { CorbadoSession, KeepAliveStats } from '../src/index.js'
import type { ActivityEvent } from './activity.js'
import { clock, html, raw } from './html.js'
import type { Html } from './html.js'
import { PAGE_SCRIPT, PAGE_STYLE } from './page-assets.js'
import { renderStats } from './page-stats.js'
import type { DemoUser } from './users.js'

/** Everything the page shows. */
export interface PageModel {
  readonly framework: 'Express' | 'Koa'
  readonly provider: 'fake' | 'corbado'
  readonly projectId: string
  readonly frontendApiUrl: string
  readonly sessionLifetimeSeconds: number | undefined
  readonly refreshBeforeExpirySeconds: number
  readonly session: CorbadoSession | undefined
  /** Whether the browser sent a refresh-token cookie (the value is never shown). */
  readonly hasRefreshCookie: boolean
  readonly stats: KeepAliveStats
  readonly events: readonly ActivityEvent[]
  readonly outage: boolean
  readonly users: readonly DemoUser[]
}

/** The whole page. */
export function renderPage(model: PageModel): string {
  const lifetime =
    model.sessionLifetimeSeconds === undefined
      ? "the project's session-token lifetime"
      : `session-tokens living ${model.sessionLifetimeSeconds} s`
  const source =
    model.provider === 'fake'
      ? html`the fake Frontend API at <code>${model.frontendApiUrl}</code>`
      : html`Corbado project <code>${model.projectId}</code> (<code>${model.frontendApiUrl}</code>)`
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>corbado-keepalive demo</title>
        <style>
          ${raw(PAGE_STYLE)}
        </style>
      </head>
      <body>
        <header>
          <h1>corbado-keepalive <span class="muted">demo · ${model.framework}</span></h1>
          <p class="muted">
            Server-side refresh against ${source}: ${lifetime}, refreshed by the middleware when at
            most ${model.refreshBeforeExpirySeconds} s remain.
          </p>
          <label class="live"
            ><input type="checkbox" id="live" checked /> live: poll the server every 2 s, as an
            app's API calls would (untick, wait past the expiry, then reload)</label
          >
        </header>
        <main id="panel">${panel(model)}</main>
        <script>
          ${raw(PAGE_SCRIPT)}
        </script>
      </body>
    </html> `.markup
}

/** The live part of the page. */
export function renderPanel(model: PageModel): string {
  return panel(model).markup
}

function panel(model: PageModel): Html {
  return html`${model.outage ? outageBanner(model) : ''}
    <div class="grid">
      <section class="card" id="session">
        ${model.session === undefined ? anonymous(model) : signedIn(model, model.session)}
      </section>
      <section class="card" id="stats">${renderStats(model)}</section>
    </div>`
}

function outageBanner(model: PageModel): Html {
  const you =
    model.session === undefined
      ? 'Your session-token has expired, so you appear signed out until a refresh succeeds again; the refresh-token is kept.'
      : 'Your session-token is still valid, so you stay signed in (fail-open).'
  return html`<p class="banner" role="status">
    Provider outage simulated: the fake answers <code>503</code> to every refresh. ${you} Failed
    refreshes are counted, and after repeated ones the circuit breaker pauses refreshes for a
    cool-down.
  </p>`
}

function signedIn(model: PageModel, session: CorbadoSession): Html {
  const { claims } = session
  const name = claims.name ?? session.userId
  const lifetimeMs = (model.sessionLifetimeSeconds ?? 300) * 1000
  const thresholdPercent = Math.min(
    100,
    (model.refreshBeforeExpirySeconds * 1000 * 100) / lifetimeMs,
  )
  const fingerprint = claims.jti === undefined ? 'none' : `…${claims.jti.slice(-6)}`
  return html`<h2>Signed in</h2>
    <div class="who">
      <div class="avatar" aria-hidden="true">${name.slice(0, 1).toUpperCase()}</div>
      <div>
        <strong data-testid="user-name">${name}</strong><br />
        <span class="muted"
          ><code data-testid="user-id">${session.userId}</code>${
            claims.email === undefined ? '' : html` · ${claims.email}`
          }</span
        >
      </div>
    </div>
    <p class="countdown">
      <span
        data-expires-at="${session.expiresAt.getTime()}"
        data-threshold-ms="${model.refreshBeforeExpirySeconds * 1000}"
        >…</span
      >
      until the session-token expires
    </p>
    <div class="bar" data-lifetime-ms="${lifetimeMs}">
      <div class="fill"></div>
      <div
        class="threshold"
        style="width:${thresholdPercent.toFixed(1)}%"
        title="refresh window"
      ></div>
    </div>
    <p class="muted">
      Expires ${clock(session.expiresAt)} · token
      <code data-testid="fingerprint">${fingerprint}</code> (last characters of its
      <code>jti</code>). The shaded start of the bar is the refresh window: the next request in it
      refreshes.
    </p>
    <p class="badge ${session.refreshed ? 'ok' : ''}" data-testid="this-request">
      ${
        session.refreshed
          ? 'This request: the server refreshed the session-token.'
          : 'This request: the session-token was still fresh, used as it was.'
      }
    </p>
    <div class="actions">
      <form method="post" action="/sign-out"><button>Sign out</button></form>
      ${
        model.provider === 'fake'
          ? html`<form method="post" action="/revoke">
              <button class="secondary" title="as if the user signed out on another device">
                Revoke at provider
              </button>
            </form>`
          : ''
      }
      ${outageButton(model)}
    </div>`
}

function anonymous(model: PageModel): Html {
  const stuck = model.hasRefreshCookie
    ? html`<p class="note">
        A refresh-token cookie is present but no valid session-token could be
        obtained${model.outage ? ' while the provider is down' : ''}.
        ${
          model.stats.circuit === 'open'
            ? 'The circuit breaker paused refreshes after repeated failures; they resume after its cool-down.'
            : 'The next request tries again.'
        }
      </p>`
    : ''
  if (model.provider === 'corbado') {
    return html`<h2>Not signed in</h2>
      ${stuck}
      <p>
        Sign in with Corbado's UI components (<code>@corbado/web-js</code> or
        <code>@corbado/react</code>) on a page served from <strong>this</strong> origin, so
        <code>cbo_session_token</code> is set here. For the server to refresh, it also needs
        <code>cbo_refresh_token</code>: serve the Frontend API through this origin with
        <code>corbadoGateway</code> (see the README). Then come back to this page.
      </p>`
  }
  return html`<h2>Not signed in</h2>
    ${stuck}
    <p>
      Sign in at the fake Frontend API; the demo then sets the cookies a Corbado login leaves:
      <code>cbo_refresh_token</code> (HttpOnly) and <code>cbo_session_token</code>.
    </p>
    <div class="actions">
      ${model.users.map(
        (user) =>
          html`<form method="post" action="/sign-in?user=${user.id}">
            <button>Sign in as ${user.name}</button>
          </form>`,
      )}${outageButton(model)}
    </div>`
}

function outageButton(model: PageModel): Html | string {
  if (model.provider !== 'fake') return ''
  return html`<form method="post" action="/outage">
    <button class="${model.outage ? 'danger' : 'secondary'}">
      ${model.outage ? 'End provider outage' : 'Simulate provider outage'}
    </button>
  </form>`
}
