/**
 * The app Corbado's real browser SDK runs against: HTTPS on 127.0.0.1 for `app.<domain>` and
 * `pro-<id>.<domain>`, with the gateway at `/.corbado` (its `publicUrl` the app's), the keep-alive
 * on every other request, and the fake Frontend API behind the gateway.
 */
import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer } from 'node:https'
import type { Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import express from 'express'
import Koa from 'koa'
import type { Context } from 'koa'
import { corbadoKeepAlive as expressKeepAlive } from '../../../src/express.js'
import { corbadoGateway } from '../../../src/gateway.js'
import { corbadoKeepAlive as koaKeepAlive } from '../../../src/koa.js'
import type { KeepAliveState } from '../../../src/koa.js'
import { startFakeCorbado } from '../../../src/testing/index.js'
import type { FakeCorbado } from '../../../src/testing/index.js'
import type { TestCertificate } from '../../../example-server/tls.js'

const require = createRequire(import.meta.url)
const SDK_BUNDLE = readFileSync(
  require.resolve('@corbado/web-js/package.json').replace(/package\.json$/, 'dist/bundle/index.js'),
)

/** The test's own domain; Chromium resolves its hosts to 127.0.0.1. */
export const TEST_DOMAIN = 'kat.test'

/** A running app and its fake Frontend API. */
export interface SdkApp {
  readonly fake: FakeCorbado
  readonly port: number
  /** `https://app.<domain>:<port>` */
  readonly origin: string
  /** The SDK's `frontendApiUrlSuffix`: `<domain>:<port>/.corbado`. */
  readonly suffix: string
  close(): Promise<void>
}

/** A page that loads the SDK with `load` (a script that calls `Corbado.load()`) and reports. */
function page(load: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>sdk</title>
<script src="/web-js.js"></script></head><body>
<script type="module">
window.sdkLoaded = (async () => {
${load}
  return { isAuthenticated: Corbado.isAuthenticated === true, userId: Corbado.user?.sub ?? null }
})().catch((error) => ({ error: String(error) }))
</script></body></html>`
}

/**
 * Start the fake and the app on `framework`. `spaSnippet` is the docs' single-page-app snippet,
 * with `'pro-1234567890'` and `'example.com/.corbado'` standing for the project and the suffix.
 */
export async function startSdkApp(
  framework: 'express' | 'koa',
  tls: TestCertificate,
  spaSnippet: string,
): Promise<SdkApp> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `https://app.${TEST_DOMAIN}:${port}`
  const suffix = `${TEST_DOMAIN}:${port}/.corbado`
  const fake = await startFakeCorbado({
    cookieDomain: `app.${TEST_DOMAIN}`,
    authorizedOrigins: [origin],
  })
  const projectId = fake.projectId
  const load = `await Corbado.load({ projectId: ${JSON.stringify(projectId)}, frontendApiUrlSuffix: ${JSON.stringify(suffix)} })`
  const sdkPage = page(load)
  const spaPage = page(
    spaSnippet
      .replaceAll("'pro-1234567890'", JSON.stringify(projectId))
      .replaceAll("'example.com/.corbado'", JSON.stringify(suffix)),
  )
  const gateway = corbadoGateway({
    projectId,
    frontendApiUrl: fake.url,
    publicUrl: `${origin}/.corbado`,
  })
  const keepAliveOptions = { projectId, frontendApiUrl: fake.url }
  // Pages that never pass the keep-alive, as if served by a CDN.
  const statics: Record<string, { type: string; body: string | Buffer }> = {
    // Chromium asks for it after each page; through the keep-alive it would refresh first.
    '/favicon.ico': { type: 'image/x-icon', body: '' },
    '/web-js.js': { type: 'text/javascript', body: SDK_BUNDLE },
    '/static/blank.html': { type: 'text/html', body: '<!doctype html><title>blank</title>' },
    '/static/sdk.html': { type: 'text/html', body: sdkPage },
    '/static/spa.html': { type: 'text/html', body: spaPage },
  }

  if (framework === 'express') {
    const app = express()
    app.use((req, res, next) => {
      const file = statics[req.path]
      if (file === undefined) {
        next()
        return
      }
      res.type(file.type).send(file.body)
    })
    app.use('/.corbado', gateway)
    app.use(expressKeepAlive(keepAliveOptions))
    app.get('/', (_req, res) => {
      res.set('cache-control', 'no-store').type('text/html').send(sdkPage)
    })
    app.get('/api/session', (req, res) => {
      res.set('cache-control', 'no-store').json({ userId: req.corbadoSession?.userId ?? null })
    })
    handler = app
  } else {
    const app = new Koa<KeepAliveState>()
    app.use(async (ctx, next) => {
      const file = statics[ctx.path]
      if (file === undefined) {
        await next()
        return
      }
      ctx.type = file.type
      ctx.body = file.body
    })
    app.use(koaKeepAlive<Context>(keepAliveOptions))
    app.use((ctx) => {
      ctx.set('cache-control', 'no-store')
      if (ctx.path === '/') {
        ctx.type = 'text/html'
        ctx.body = sdkPage
      } else if (ctx.path === '/api/session') {
        ctx.body = { userId: ctx.state.corbadoSession?.userId ?? null }
      }
    })
    const koa = app.callback()
    handler = (req, res) => {
      const url = req.url ?? '/'
      if (url === '/.corbado' || url.startsWith('/.corbado/')) {
        // On bare node:http the mount path is stripped by hand, as Express does.
        ;(req as IncomingMessage & { originalUrl?: string }).originalUrl = url
        req.url = url.slice('/.corbado'.length) || '/'
        gateway(req, res)
        return
      }
      void koa(req, res)
    }
  }

  return {
    fake,
    port,
    origin,
    suffix,
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
