/**
 * Timeouts and failures of a proxied upstream (the Frontend API behind the gateway, the backend
 * behind the command line): `504` when it stayed silent too long, `502` when it could not be
 * reached or broke the connection, both with a JSON body; a response already under way is cut.
 *
 * @module
 */
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Logger } from '../core/types.js'

/** The error a proxied request is destroyed with when the upstream stays silent too long. */
export class UpstreamTimeoutError extends Error {
  /** Node's code for a timed-out operation. */
  readonly code = 'ETIMEDOUT'

  constructor(timeoutMs: number) {
    super(`no answer from upstream within ${timeoutMs} ms`)
    this.name = 'UpstreamTimeoutError'
  }
}

/** The JSON body of a `502`/`504`: the shape of Corbado's error envelope, so its SDK reads it. */
export interface UpstreamErrorBody {
  /** The response's status: `502` unreachable or broken off, `504` silent past the timeout. */
  readonly httpStatusCode: 502 | 504
  /** A human-readable sentence; it names no host, path or cookie. */
  readonly message: string
  /** `type` is `bad_gateway` (502) or `gateway_timeout` (504); `links` is always empty. */
  readonly error: { readonly type: 'bad_gateway' | 'gateway_timeout'; readonly links: [] }
}

/**
 * Destroy `proxyReq` with an {@link UpstreamTimeoutError} when its socket is idle for
 * `timeoutMs`: while connecting, while waiting for the answer, and between body chunks.
 */
export function armUpstreamTimeout(proxyReq: ClientRequest, timeoutMs: number): void {
  proxyReq.setTimeout(timeoutMs, () => {
    proxyReq.destroy(new UpstreamTimeoutError(timeoutMs))
  })
}

/**
 * Destroy `proxyReq` with an {@link UpstreamTimeoutError} when the whole exchange (connecting,
 * waiting, and the response body to its end) takes longer than `totalTimeoutMs`, however steadily
 * the upstream trickles bytes.
 */
export function armTotalTimeout(proxyReq: ClientRequest, totalTimeoutMs: number): void {
  const timer = setTimeout(() => {
    proxyReq.destroy(new UpstreamTimeoutError(totalTimeoutMs))
  }, totalTimeoutMs)
  const clear = () => {
    clearTimeout(timer)
  }
  proxyReq.once('close', clear)
  proxyReq.once('response', (proxyRes: IncomingMessage) => {
    proxyRes.once('end', clear)
    proxyRes.once('close', clear)
  })
}

/**
 * Abort `proxyReq` when the client goes before its response was sent. http-proxy watches only the
 * request's `aborted`, which Node does not emit once the request's body was read: a long poll the
 * client left would hold its upstream connection until the timeout, and then be logged as a 504.
 */
export function abortWhenClientLeaves(proxyReq: ClientRequest, res: ServerResponse): void {
  // `on`, not `once`: 'close' comes once, and `once` would wrap the listener on every request.
  res.on('close', () => {
    if (!res.writableFinished) proxyReq.destroy()
  })
}

/**
 * Cut the client's response when the upstream's breaks off mid-body; piping alone would leave the
 * client waiting for bytes that never come.
 */
export function cutOnUpstreamAbort(proxyRes: IncomingMessage, res: ServerResponse): void {
  const cut = () => {
    if (!proxyRes.complete) res.destroy()
  }
  proxyRes.once('error', cut)
  proxyRes.once('close', cut)
}

/**
 * Answer an upstream failure: `504` for a timeout, `502` otherwise, as JSON, when the response
 * has not started; otherwise (or on a WebSocket) the connection is closed. Logs one warning
 * without the query string, where tokens could travel.
 */
export function answerUpstreamError(
  error: Error,
  req: IncomingMessage,
  res: ServerResponse | Socket,
  context: { readonly upstream: string; readonly logger: Logger | undefined },
): void {
  const timedOut = error instanceof UpstreamTimeoutError
  const status = timedOut ? 504 : 502
  try {
    context.logger?.warn(
      {
        upstream: context.upstream,
        method: req.method,
        path: (req.url ?? '').split('?', 1)[0],
        code: (error as NodeJS.ErrnoException).code ?? error.name,
        status,
      },
      'corbado-keepalive: upstream request failed',
    )
  } catch {
    // A broken logger must not break requests.
  }
  if (!isResponse(res)) {
    res.destroy()
    return
  }
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body: UpstreamErrorBody = {
    httpStatusCode: status,
    message: timedOut
      ? 'The upstream server did not answer in time'
      : 'The upstream server is unreachable',
    error: { type: timedOut ? 'gateway_timeout' : 'bad_gateway', links: [] },
  }
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
  })
  res.end(text)
}

function isResponse(value: ServerResponse | Socket): value is ServerResponse {
  return 'writeHead' in value
}
