/**
 * `corbado-keepalive/gateway`: serve the Corbado Frontend API through the app's own origin, so the
 * refresh-token cookie becomes first-party and reaches the keep-alive on every request.
 *
 * ```ts
 * import { corbadoGateway } from 'corbado-keepalive/gateway'
 * import { corbadoKeepAlive } from 'corbado-keepalive/express'
 * app.use(
 *   '/.corbado',
 *   corbadoGateway({ projectId: 'pro-1234567890', publicUrl: 'https://app.example.com/.corbado' }),
 * )
 * app.use(corbadoKeepAlive({ projectId: 'pro-1234567890' }))
 * ```
 * and load Corbado's SDK with `frontendApiUrlSuffix: 'example.com/.corbado'` (docs/production.md).
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createProxyMiddleware, fixRequestBody } from 'http-proxy-middleware'
import { corbadoCookiesOnly } from './gateway/cookies.js'
import {
  IDENTITY_ENCODING,
  rewriteJsonBodies,
  warnWithoutPublicUrl,
} from './gateway/frontend-api-url.js'
import { resolveGatewayOptions } from './gateway/options.js'
import type { GatewayOptions } from './gateway/options.js'
import { narrowRequestHeaders } from './gateway/request-headers.js'
import { isTraversalPath, refusePath } from './gateway/request-path.js'
import { mountPathOf, rewriteResponseHeaders } from './gateway/response-headers.js'
import {
  answerUpstreamError,
  armTotalTimeout,
  abortWhenClientLeaves,
  armUpstreamTimeout,
  cutOnUpstreamAbort,
} from './gateway/upstream-errors.js'
import { keepAliveAgent } from './node/agent.js'
import { staleConnectionRetry } from './node/stale-connection-retry.js'

/**
 * The middleware returned by {@link corbadoGateway}: `(req, res, next)` for Express, Connect and
 * bare `node:http`. It answers every request it receives; `next(error)` is called only on a bug.
 */
export type CorbadoGateway = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void

/**
 * Create the gateway. Options are validated now; see {@link GatewayOptions}.
 *
 * Mount it under a path (`app.use('/.corbado', …)`): the mount path is stripped, and method,
 * path, query, body and status are forwarded as they are, with these exceptions:
 * - only the request headers the Frontend API needs are sent (see `docs/security-notes.md`):
 *   `Authorization` only as `Bearer`, never `Proxy-Authorization` or hop-by-hop headers, and
 *   `X-Forwarded-Host`/`-Proto` as the gateway saw them;
 * - only `cbo_*` cookies are sent to the Frontend API, and only `cbo_*` cookies it sets reach the
 *   browser, with `Domain` and `Path` rewritten to `cookieDomain` / `cookiePath`;
 * - a redirect to the Frontend API stays on the gateway;
 * - with `publicUrl`, the `frontendApiUrl` of JSON answers becomes `publicUrl`;
 * - CORS preflights are passed on, so the project's authorized origins stay the one rule;
 * - a path with a dot-segment (`..`, `%2e%2e`), an encoded slash or a backslash answers `400`;
 * - an unreachable Frontend API answers `502`, a silent or too slow one `504`, as JSON.
 *
 * On bare `node:http`, strip the mount path from `req.url` yourself and keep the full one in
 * `req.originalUrl`, as Express does.
 *
 * @throws {InvalidOptionError} when an option is missing, invalid or unknown.
 */
export function corbadoGateway(options: GatewayOptions): CorbadoGateway {
  const o = resolveGatewayOptions(options)
  const upstream = new URL(o.frontendApiUrl)
  const cookies = { domain: o.cookieDomain, path: o.cookiePath }
  const mountPaths = new WeakMap<IncomingMessage, string>()
  const nexts = new WeakMap<IncomingMessage, (error?: unknown) => void>()
  const agent = keepAliveAgent(upstream)
  const retry = staleConnectionRetry(agent)
  const publicUrl = o.publicUrl
  if (publicUrl === undefined) warnWithoutPublicUrl(o.logger)

  const proxy = createProxyMiddleware({
    target: o.frontendApiUrl,
    // The Frontend API routes on Host and serves its certificate for its own name.
    changeOrigin: true,
    // Forwarding headers are set by narrowRequestHeaders from what the gateway saw.
    xfwd: false,
    agent,
    on: {
      proxyReq: (proxyReq, req, res) => {
        narrowRequestHeaders(proxyReq, req)
        armUpstreamTimeout(proxyReq, o.timeoutMs)
        abortWhenClientLeaves(proxyReq, res)
        armTotalTimeout(proxyReq, o.totalTimeoutMs)
        retry.track(proxyReq, req)
        if (publicUrl !== undefined) proxyReq.setHeader('accept-encoding', IDENTITY_ENCODING)
        // A body already parsed by express.json() & co. is written again.
        fixRequestBody(proxyReq, req)
      },
      proxyRes: (proxyRes, req, res) => {
        rewriteResponseHeaders(proxyRes.headers, {
          upstream,
          mountPath: mountPaths.get(req) ?? '',
          cookies,
        })
        if (publicUrl !== undefined) rewriteJsonBodies(proxyRes, res, publicUrl)
        cutOnUpstreamAbort(proxyRes, res)
      },
      error: (error, req, res) => {
        const sent = retry.retry(error, req, res, (response) => {
          void proxy(req, response, nexts.get(req))
        })
        if (sent) return
        answerUpstreamError(error, req, res, { upstream: upstream.origin, logger: o.logger })
      },
    },
  })

  return function corbadoGatewayMiddleware(req, res, next) {
    // A path prefix of frontendApiUrl must hold however the Frontend API normalises the path.
    if (isTraversalPath(req.url ?? '/')) {
      refusePath(res)
      return
    }
    mountPaths.set(req, mountPathOf((req as { originalUrl?: string }).originalUrl, req.url ?? '/'))
    // Headers are copied when the upstream request is created, so they are prepared here.
    const cookie = corbadoCookiesOnly(req.headers.cookie)
    if (cookie === '') delete req.headers.cookie
    else req.headers.cookie = cookie
    // Node answered `100 Continue` already; forwarded, it would also skip the proxyReq hook.
    delete req.headers.expect
    if (next !== undefined) nexts.set(req, next)
    // Rejects never: the proxy passes its own errors to `next`.
    void proxy(req, res, next)
  }
}

export { GATEWAY_DEFAULTS } from './gateway/options.js'
export type { GatewayOptions } from './gateway/options.js'
export type { UpstreamErrorBody } from './gateway/upstream-errors.js'
