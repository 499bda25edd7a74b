/**
 * Start the demo in-process: `npm start` and the browser test both use {@link startDemo}.
 *
 * @module
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { KeepAliveStats } from '../src/index.js'
import type { FakeCorbado } from '../src/testing/index.js'
import type { DemoApp } from './app.js'
import { createExpressDemo } from './app-express.js'
import type { ProviderConfig } from './config.js'
import { startProvider } from './provider.js'
import { createDemoRoutes } from './routes.js'
import type { DemoRoutes } from './routes.js'

/** Options of {@link startDemo}. */
export interface StartDemoOptions {
  /** `0` picks a free port. Default `0`. */
  port?: number
  /** Interface to bind. Default `'127.0.0.1'`. */
  host?: string
  /** Default `'express'`. */
  framework?: 'express' | 'koa'
  /** Default: the fake Frontend API. */
  provider?: ProviderConfig
  /** Lifetime of the fake's session-tokens. Default `20`; ignored against a real project. */
  sessionLifetimeSeconds?: number
  /** Default `10` with the fake, the package's default (60) against a real project. */
  refreshBeforeExpirySeconds?: number
  /** `Secure` attribute of the cookies. Default `true`, as in production. */
  secureCookies?: boolean
}

/** A running demo. */
export interface RunningDemo {
  /** `http://<host>:<port>`, no trailing slash. */
  readonly url: string
  /** The fake Frontend API, `undefined` against a real project. */
  readonly fake: FakeCorbado | undefined
  /** The keep-alive middleware's counters. */
  stats(): KeepAliveStats
  /** Stop the app and the fake. */
  close(): Promise<void>
}

/** Start the fake (unless a real project is configured) and the demo app. */
export async function startDemo(options: StartDemoOptions = {}): Promise<RunningDemo> {
  const providerConfig = options.provider ?? { kind: 'fake' }
  const isFake = providerConfig.kind === 'fake'
  const sessionLifetimeSeconds = options.sessionLifetimeSeconds ?? 20
  const provider = await startProvider(providerConfig, sessionLifetimeSeconds)
  const framework = options.framework ?? 'express'
  const routes = createDemoRoutes({
    provider,
    framework: framework === 'koa' ? 'Koa' : 'Express',
    secureCookies: options.secureCookies ?? true,
    sessionLifetimeSeconds: isFake ? sessionLifetimeSeconds : undefined,
    refreshBeforeExpirySeconds: options.refreshBeforeExpirySeconds ?? (isFake ? 10 : undefined),
  })
  let app: DemoApp
  try {
    app = await createApp(framework, routes)
  } catch (error) {
    await provider.close()
    throw error
  }
  const server = createServer(app.listener)
  const host = options.host ?? '127.0.0.1'
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    await provider.close()
    throw error
  }
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    fake: provider.fake,
    stats: () => app.stats(),
    close: async () => {
      // The page polls over keep-alive connections: drop them, or close() waits for their timeout.
      server.closeAllConnections()
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      })
      await provider.close()
    },
  }
}

async function createApp(framework: 'express' | 'koa', routes: DemoRoutes): Promise<DemoApp> {
  if (framework === 'express') return createExpressDemo(routes)
  // Loaded on demand: an Express-only run never imports Koa.
  const { createKoaDemo } = await import('./app-koa.js')
  return createKoaDemo(routes)
}
