/**
 * The keep-alive reverse proxy: a `node:http` server that runs every request through the
 * keep-alive core and forwards it to the backend with http-proxy-middleware; optionally the
 * gateway at a path, and the health path.
 *
 * @module
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { createProxyMiddleware } from 'http-proxy-middleware'
import { createKeepAlive } from '../core/keep-alive.js'
import { drive } from '../core/drive.js'
import { mergeSessionHeaders } from '../core/merge-session-headers.js'
import { applyToRequest } from '../node/apply-outcome.js'
import { corbadoGateway } from '../gateway.js'
import {
  answerUpstreamError,
  abortWhenClientLeaves,
  armUpstreamTimeout,
  cutOnUpstreamAbort,
} from '../gateway/upstream-errors.js'
import { keepAliveAgent } from '../node/agent.js'
import { staleConnectionRetry } from '../node/stale-connection-retry.js'
import { setForwardedHeaders } from '../node/forwarded-headers.js'
import { removeHopByHopHeaders } from '../node/hop-by-hop.js'
import { nodeSha256 } from '../node/sha256.js'
import { writeOnHeaders } from '../node/write-on-headers.js'
import type { ProxyConfig } from './args.js'
import { proxyClientKey } from './client-address.js'
import { openRedisCoordinator } from './redis-coordinator.js'
import type { LineLogger } from './log.js'
import { answerMetrics } from './metrics-endpoint.js'

/** A listening proxy. */
export interface RunningProxy {
  /** `http://<host>:<port>` it listens on. */
  readonly url: string
  /**
   * Stop accepting connections, let in-flight requests finish for up to `graceMs`, then cut what
   * remains (WebSockets at once). Resolves when the server is closed.
   */
  close(graceMs: number): Promise<void>
}

/** How the proxy runs, beyond its configuration. */
export interface ProxyMode {
  /**
   * `false` forwards every request as it is, without the keep-alive: the same proxy otherwise, so
   * the benchmark can tell what the keep-alive costs inside it. Default `true`.
   */
  readonly keepAlive?: boolean
}

/**
 * Start the proxy for `config`.
 *
 * @throws {InvalidOptionError} when the keep-alive or gateway rejects an option.
 * @throws (rejects) the `listen` error, e.g. `EADDRINUSE`.
 */
export async function startProxy(
  config: ProxyConfig,
  logger: LineLogger,
  mode: ProxyMode = {},
): Promise<RunningProxy> {
  const startedAt = Date.now()
  const redis =
    config.redisUrl === undefined
      ? undefined
      : await openRedisCoordinator(
          config.redisUrl,
          config.redisKeyPrefix,
          logger,
          config.refreshTimeoutMs,
        )
  const keepAlive = createKeepAlive<IncomingMessage>(
    {
      projectId: config.projectId,
      frontendApiUrl: config.frontendApiUrl,
      cookie: config.cookieDomain === undefined ? undefined : { domain: config.cookieDomain },
      logger,
      coordinator: redis?.coordinator,
      refreshBeforeExpirySeconds: config.refreshBeforeExpirySeconds,
      refreshTimeoutMs: config.refreshTimeoutMs,
      refreshConcurrency: config.refreshConcurrency,
      refreshRateLimit: {
        perClientPerMinute: config.refreshRateLimitPerClientPerMinute,
        unprovenPerSecond: config.refreshRateLimitUnprovenPerSecond,
        clientKey: proxyClientKey(config.trustProxy, logger),
      },
    },
    { sha256: nodeSha256 },
  )
  const gateway =
    config.gatewayPath === undefined
      ? undefined
      : corbadoGateway({
          projectId: config.projectId,
          frontendApiUrl: config.frontendApiUrl,
          cookieDomain: config.cookieDomain,
          publicUrl: config.gatewayPublicUrl,
          logger,
        })
  const agent = keepAliveAgent(config.target)
  const retry = staleConnectionRetry(agent)
  const ours = new WeakMap<IncomingMessage, readonly string[]>()
  const upstream = { upstream: config.target.origin, logger }

  const backend = createProxyMiddleware({
    target: config.target.href,
    // Set by setForwardedHeaders: http-proxy's xfwd appends to whatever the client sent.
    xfwd: false,
    agent,
    on: {
      proxyReq: (proxyReq, req, res) => {
        removeHopByHopHeaders(proxyReq, req.headers)
        setForwardedHeaders(proxyReq, req, config.trustProxy)
        armUpstreamTimeout(proxyReq, config.timeoutMs)
        abortWhenClientLeaves(proxyReq, res)
        retry.track(proxyReq, req)
      },
      proxyReqWs: (proxyReq, req) => {
        removeHopByHopHeaders(proxyReq, req.headers, true)
        setForwardedHeaders(proxyReq, req, config.trustProxy)
        armUpstreamTimeout(proxyReq, config.timeoutMs)
      },
      proxyRes: (proxyRes, req, res) => {
        cutOnUpstreamAbort(proxyRes, res)
        const setCookies = ours.get(req)
        // Most responses carry no cookie of ours: nothing to merge, nothing to allocate.
        if (setCookies === undefined) return
        // Merged into the backend's headers here: anything set on `res` earlier is overwritten.
        const headers: Record<string, string | string[] | undefined> = proxyRes.headers
        mergeSessionHeaders(setCookies, {
          get: (name) => headers[name],
          set: (name, value) => {
            headers[name] = value
          },
          remove: (name) => {
            Reflect.deleteProperty(headers, name)
          },
        })
      },
      error: (error, req, res) => {
        const sent = retry.retry(error, req, res, (response) => {
          void backend(req, response, (failure) => {
            failed(failure, response)
          })
        })
        if (sent) return
        // The 502/504 still carries a refreshed session, so the next request needs no refresh.
        if ('writeHead' in res) writeOnHeaders(res, ours.get(req) ?? [])
        answerUpstreamError(error, req, res, upstream)
      },
    },
  })

  let draining = false
  const upgraded = new Set<Duplex>()
  const server = createServer((req, res) => {
    if (draining) res.setHeader('connection', 'close')
    // A keep-alive connection that goes idle while draining would hold the server open.
    res.once('finish', () => {
      if (draining) setImmediate(closeIdle)
    })
    const pathname = (req.url ?? '/').split('?', 1)[0] ?? '/'
    if (pathname === config.healthPath) {
      health(req, res)
      return
    }
    if (pathname === config.metricsPath) {
      answerMetrics(req, res, keepAlive.stats())
      return
    }
    if (gateway !== undefined && config.gatewayPath !== undefined) {
      const below = stripMount(req, config.gatewayPath)
      if (below !== undefined) {
        ;(req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url
        req.url = below
        gateway(req, res, (error) => {
          failed(error, res)
        })
        return
      }
    }
    const forward = () => {
      void backend(req, res, (error) => {
        failed(error, res)
      })
    }
    if (mode.keepAlive === false) forward()
    else
      withKeepAlive(req, forward, (error) => {
        failed(error, res)
      })
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {
      socket.destroy()
    })
    const toGateway =
      config.gatewayPath !== undefined && stripMount(req, config.gatewayPath) !== undefined
    // Node's server always hands over a net.Socket; the Duplex type is for custom servers.
    if (draining || toGateway || !(socket instanceof Socket)) {
      socket.destroy()
      return
    }
    upgraded.add(socket)
    socket.once('close', () => upgraded.delete(socket))
    // The 101 answer carries no Set-Cookie; the backend still sees the fresh token.
    withKeepAlive(
      req,
      () => {
        backend.upgrade(req, socket, head)
      },
      (error) => {
        logger.error({ error: describe(error) }, 'corbado-keepalive: upgrade failed')
        socket.destroy()
      },
    )
  })

  function closeIdle(): void {
    server.closeIdleConnections()
  }

  function withKeepAlive(
    req: IncomingMessage,
    proceed: () => void,
    fail: (error: unknown) => void,
  ): void {
    void drive(
      () =>
        keepAlive.handle({
          method: req.method ?? 'GET',
          cookieHeader: req.headers.cookie,
          // The rate limit reads the address through `proxyClientKey`, on the refresh path only.
          clientAddress: undefined,
          raw: req,
        }),
      {
        apply(outcome) {
          // Headers are copied when the upstream request is created, so the rewrite is made here.
          applyToRequest(req, outcome)
          // Node answered `100 Continue` already; forwarded, it would also skip the proxyReq hook.
          // Deleted only when present: a delete turns the headers object into a slow dictionary.
          if (req.headers.expect !== undefined) delete req.headers.expect
          if (outcome.setCookies.length > 0) ours.set(req, outcome.setCookies)
        },
        proceed() {
          // The client may have gone while the refresh ran: nothing is left to forward.
          if (!req.socket.destroyed) proceed()
        },
        fail,
      },
    )
  }

  function health(req: IncomingMessage, res: ServerResponse): void {
    const status = draining ? 'shutting-down' : 'ok'
    // The counters (the token cache's size is about the number of active users) are opt-in.
    const body = JSON.stringify(
      config.healthDetails
        ? {
            status,
            uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
            keepAlive: keepAlive.stats(),
          }
        : { status },
    )
    res.writeHead(draining ? 503 : 200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'cache-control': 'no-store',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  /** Only a bug gets here: the proxy and gateway answer upstream failures themselves. */
  function failed(error: unknown, res: ServerResponse): void {
    logger.error({ error: describe(error) }, 'corbado-keepalive: request failed')
    if (res.headersSent) {
      res.destroy()
      return
    }
    res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify({ httpStatusCode: 500, message: 'Internal proxy error' }))
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address

  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${address.port}`,
    close(graceMs) {
      closing ??= new Promise<void>((resolve) => {
        draining = true
        const force = setTimeout(() => {
          server.closeAllConnections()
        }, graceMs)
        server.close(() => {
          clearTimeout(force)
          agent.destroy()
          void (redis?.close() ?? Promise.resolve()).then(resolve)
        })
        server.closeIdleConnections()
        for (const socket of upgraded) socket.destroy()
      })
      return closing
    },
  }
}

/** The URL below `mountPath`, or `undefined` when the request is not for it. */
function stripMount(req: IncomingMessage, mountPath: string): string | undefined {
  const url = req.url ?? '/'
  if (!url.startsWith(mountPath)) return undefined
  const rest = url.slice(mountPath.length)
  if (rest === '') return '/'
  if (rest.startsWith('/')) return rest
  if (rest.startsWith('?')) return `/${rest}`
  return undefined
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
