/**
 * `npm run start:sdk`: Corbado's real browser SDK (`@corbado/web-js` 3.5.0) and the server side
 * by side, against the fake Frontend API, over HTTPS on `app.localhost` and
 * `pro-<id>.localhost` (browsers resolve `*.localhost` to this machine). The page shows what the
 * keep-alive sees and what the SDK sees; "Close the tab" drops the session cookie as an expired
 * one would be, and the reload shows both signed in again.
 *
 * @module
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import express from 'express'
import { corbadoKeepAlive } from '../src/express.js'
import { corbadoGateway } from '../src/gateway.js'
import { startFakeCorbado } from '../src/testing/index.js'
import type { FakeCorbado } from '../src/testing/index.js'
import { makeCertificate } from './tls.js'

const require = createRequire(import.meta.url)
const SDK_BUNDLE = readFileSync(
  require.resolve('@corbado/web-js/package.json').replace(/package\.json$/, 'dist/bundle/index.js'),
)
const DOMAIN = 'localhost'
const USER = { id: 'usr-1001', name: 'Ada Lovelace', email: 'ada@example.com' }

/** A running SDK demo. */
export interface SdkDemo {
  /** `https://app.localhost:<port>` */
  readonly url: string
  readonly port: number
  readonly fake: FakeCorbado
  /** The certificate's SPKI pin (`--ignore-certificate-errors-spki-list`). */
  readonly spki: string
  close(): Promise<void>
}

/**
 * Start the fake Frontend API and the demo app on `port` (`0`: any free one).
 *
 * @throws (rejects) the `listen` error, e.g. `EADDRINUSE`.
 */
export async function startSdkDemo(port = 0, sessionLifetimeSeconds = 120): Promise<SdkDemo> {
  const tls = makeCertificate(DOMAIN, [`app.${DOMAIN}`, `*.${DOMAIN}`, DOMAIN])
  const app = express()
  const server = createServer({ key: tls.key, cert: tls.cert }, app)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const bound = (server.address() as AddressInfo).port
  const origin = `https://app.${DOMAIN}:${bound}`
  const fake = await startFakeCorbado({
    cookieDomain: `app.${DOMAIN}`,
    authorizedOrigins: [origin],
    sessionLifetimeSeconds,
  })
  const { projectId } = fake

  app.get('/web-js.js', (_req, res) => {
    res.type('text/javascript').send(SDK_BUNDLE)
  })
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end()
  })
  app.use(
    '/.corbado',
    corbadoGateway({ projectId, frontendApiUrl: fake.url, publicUrl: `${origin}/.corbado` }),
  )
  app.use(corbadoKeepAlive({ projectId, frontendApiUrl: fake.url }))
  app.get('/', (req, res) => {
    res
      .set('cache-control', 'no-store')
      .type('text/html')
      .send(page(projectId, `${DOMAIN}:${bound}/.corbado`, req.corbadoSession?.refreshed === true))
  })
  app.get('/api/session', (req, res) => {
    const session = req.corbadoSession
    res.set('cache-control', 'no-store').json({
      userId: session?.userId ?? null,
      expiresAt: session?.expiresAt.toISOString() ?? null,
      refreshed: session?.refreshed ?? false,
    })
  })
  // The end of a Corbado login, as the gateway would have passed it on: the refresh cookie
  // (host-only, `Path=/`); the SDK then writes the session cookie itself.
  app.post('/demo/login', (_req, res) => {
    const { refreshToken, sessionToken } = fake.login(USER.id, USER)
    res
      .cookie('cbo_refresh_token', refreshToken, {
        httpOnly: true,
        secure: true,
        sameSite: 'lax',
        path: '/',
      })
      .cookie('cbo_session_token', sessionToken, {
        domain: `app.${DOMAIN}`,
        secure: true,
        sameSite: 'lax',
        path: '/',
        expires: new Date(Date.now() + sessionLifetimeSeconds * 1000),
      })
      .status(204)
      .end()
  })

  return {
    url: origin,
    port: bound,
    fake,
    spki: tls.spki,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve()
        }),
      )
      await fake.close()
    },
  }
}

function page(projectId: string, suffix: string, refreshedOnLoad: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>corbado-keepalive: the SDK and the server</title>
<style>body{font:15px system-ui;margin:2rem}main{display:flex;gap:2rem}section{flex:1;border:1px solid #ccc;border-radius:8px;padding:1rem}
dt{font-weight:600}button{margin-right:.5rem}</style>
<script src="/web-js.js"></script></head><body>
<h1>Corbado's browser SDK and the keep-alive, side by side</h1>
<p><button id="login">Sign in (fake)</button><button id="close">Close the tab (drop the session cookie)</button><button id="logout">Corbado.logout()</button></p>
<main>
<section><h2>Server (corbadoKeepAlive)</h2><dl>
<dt>user</dt><dd data-testid="server-user">…</dd><dt>token expires</dt><dd data-testid="server-exp">…</dd>
<dt>refreshed on this page's HTML request</dt><dd data-testid="server-refreshed">${String(refreshedOnLoad)}</dd></dl></section>
<section><h2>Browser (Corbado web-js 3.5.0)</h2><dl>
<dt>user</dt><dd data-testid="sdk-user">…</dd><dt>token expires</dt><dd data-testid="sdk-exp">…</dd>
<dt>cbo_session_token cookies in document.cookie</dt><dd data-testid="sdk-cookies">…</dd></dl></section>
</main>
<script type="module">
const show = (id, text) => { document.querySelector('[data-testid="' + id + '"]').textContent = text }
async function server() {
  const s = await (await fetch('/api/session', { credentials: 'same-origin' })).json()
  show('server-user', s.userId ?? 'anonymous')
  show('server-exp', s.expiresAt ?? '—')
}
function sdk() {
  const user = Corbado.user
  show('sdk-user', Corbado.isAuthenticated ? user.sub : 'anonymous')
  show('sdk-exp', user?.exp ? new Date(user.exp * 1000).toISOString() : '—')
  show('sdk-cookies', String(document.cookie.split('; ').filter((c) => c.startsWith('cbo_session_token=')).length))
}
document.querySelector('#login').onclick = async () => { await fetch('/demo/login', { method: 'POST' }); location.reload() }
document.querySelector('#close').onclick = () => {
  document.cookie = 'cbo_session_token=; domain=app.${DOMAIN}; path=/; secure; expires=Thu, 01 Jan 1970 00:00:00 GMT'
  location.reload()
}
document.querySelector('#logout').onclick = async () => { await Corbado.logout(); sdk(); await server() }
await Corbado.load({ projectId: ${JSON.stringify(projectId)}, frontendApiUrlSuffix: ${JSON.stringify(suffix)} })
sdk()
Corbado.sessionTokenChanges.subscribe(() => sdk())
await server()
document.body.dataset.ready = 'true'
</script></body></html>`
}
