/**
 * Fastify plugin (Fastify 4 and 5).
 *
 * ```ts
 * import Fastify from 'fastify'
 * import { corbadoKeepAlive } from 'corbado-keepalive/fastify'
 *
 * const app = Fastify()
 * await app.register(corbadoKeepAlive, { projectId: 'pro-1234567890' })
 * app.get('/me', (request) => request.corbadoSession ?? null)
 * ```
 *
 * @module
 */
import type { FastifyInstance, FastifyPluginCallback, FastifyRequest } from 'fastify'
import { fastifyPlugin } from 'fastify-plugin'
import { drive } from './core/drive.js'
import { createKeepAlive } from './core/keep-alive.js'
import type { KeepAlive } from './core/keep-alive.js'
import type { KeepAliveOptions } from './core/options.js'
import type { KeepAliveStats } from './core/stats.js'
import type { CorbadoSession } from './core/types.js'
import { applyOutcome } from './node/apply-outcome.js'
import { nodeSha256 } from './node/sha256.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified Corbado session, set by `corbadoKeepAlive`; `undefined` when anonymous. */
    corbadoSession: CorbadoSession | undefined
  }
  interface FastifyInstance {
    /** The keep-alive registered on this app by `corbadoKeepAlive`. */
    corbadoKeepAlive: FastifyKeepAlive
  }
}

/** What the plugin adds to the app, as `app.corbadoKeepAlive`. */
export interface FastifyKeepAlive {
  /** Counters since the plugin was registered: refreshes, failures, cache hit rate, … */
  stats(): KeepAliveStats
}

/** Options of {@link corbadoKeepAlive}: `KeepAliveOptions`, whose hooks receive the `FastifyRequest`. */
export type FastifyKeepAliveOptions = KeepAliveOptions<FastifyRequest>

function plugin(
  app: FastifyInstance,
  options: FastifyKeepAliveOptions,
  done: (error?: Error) => void,
): void {
  let keepAlive: KeepAlive<FastifyRequest>
  try {
    keepAlive = createKeepAlive(options, {
      clientAddress: (request) => request.ip,
      sha256: nodeSha256,
    })
  } catch (error) {
    // Handed to `register`'s promise; a throw here would escape it.
    done(error as Error)
    return
  }
  app.decorateRequest('corbadoSession', undefined)
  app.decorate('corbadoKeepAlive', { stats: () => keepAlive.stats() })
  // `onRequest`, the first hook: every later hook, body parser and handler sees the fresh token.
  app.addHook('onRequest', (request, reply, next) => {
    void drive(
      () =>
        keepAlive.handle({
          method: request.method,
          cookieHeader: request.raw.headers.cookie,
          clientAddress: undefined,
          raw: request,
        }),
      {
        apply(outcome) {
          request.corbadoSession = outcome.session
          // `@fastify/cookie` keeps its jar (`request.cookies`) on Fastify's request.
          applyOutcome(request.raw, reply.raw, outcome, request)
        },
        proceed: next,
        fail: next,
      },
    )
  })
  done()
}

/**
 * The plugin: `await app.register(corbadoKeepAlive, options)`. Options are validated at
 * registration; see `KeepAliveOptions`. Not encapsulated, so it applies to every route of the app.
 *
 * For each request, in `onRequest`, it sets `request.corbadoSession` and rewrites
 * `request.headers.cookie` (and `@fastify/cookie`'s `request.cookies`, whichever was registered
 * first), so every hook and handler reads the fresh token. The session cookie is merged into the
 * response when its headers are written, with what routes set through `reply.header` or
 * `reply.setCookie`; a session cookie a route sets itself wins.
 *
 * @throws {InvalidOptionError} (at `register`) when an option is missing, invalid or unknown.
 */
export const corbadoKeepAlive: FastifyPluginCallback<FastifyKeepAliveOptions> = fastifyPlugin(
  plugin,
  { fastify: '4.x || 5.x', name: 'corbado-keepalive' },
)

export type {
  KeepAliveOptions,
  SessionCookieOptions,
  CircuitBreakerOptions,
  RefreshRateLimitOptions,
  TelemetryOptions,
} from './core/options.js'
export type { CircuitState } from './core/circuit-breaker.js'
export type { CorbadoSession, CorbadoClaims } from './core/types.js'
export type { KeepAliveStats } from './core/stats.js'
