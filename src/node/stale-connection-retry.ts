/**
 * One more try for an upstream request that a pooled connection broke before any answer: the
 * upstream had closed that connection while it sat idle, and the request crossed the close.
 *
 * @module
 */
import type { Agent, ClientRequest, IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/** RFC 9110's idempotent methods: the upstream may have seen the request, so only these repeat. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])

/** What a request fails with on a connection the upstream closed. */
const BROKEN = new Set(['ECONNRESET', 'EPIPE'])

const RETRIED = Symbol('retried')

interface Attempt {
  readonly socket: Socket
  /** The socket's `bytesRead` when the request got it: more later means the answer began. */
  readonly bytesRead: number
}

/** Retries, once per client request, a request a stale pooled connection broke. */
export interface StaleConnectionRetry {
  /** Call when `proxyReq` has its socket (http-proxy's `proxyReq` event). */
  track(proxyReq: ClientRequest, req: IncomingMessage): void
  /**
   * Call first on an upstream error. Calls `send` to forward `req` again and returns `true` when
   * the request went out on a reused connection, broke with `ECONNRESET` or `EPIPE` before any
   * byte of the answer, has an idempotent method and no body, was not retried yet, and the client
   * still waits; otherwise returns `false` and the error is the caller's to answer.
   */
  retry(
    error: Error,
    req: IncomingMessage,
    res: ServerResponse | Socket,
    send: (res: ServerResponse) => void,
  ): boolean
}

/** A {@link StaleConnectionRetry} for requests sent through `agent`. */
export function staleConnectionRetry(agent: Agent): StaleConnectionRetry {
  const attempts = new WeakMap<IncomingMessage, Attempt | typeof RETRIED>()
  return {
    track(proxyReq, req) {
      const socket = proxyReq.socket
      if (!proxyReq.reusedSocket || socket === null || !replayable(req)) return
      if (attempts.get(req) === RETRIED) return
      attempts.set(req, { socket, bytesRead: socket.bytesRead })
    },
    retry(error, req, res, send) {
      const attempt = attempts.get(req)
      if (attempt === undefined || attempt === RETRIED) return false
      const code = (error as NodeJS.ErrnoException).code
      if (code === undefined || !BROKEN.has(code)) return false
      if (attempt.socket.bytesRead !== attempt.bytesRead) return false
      if (!('writeHead' in res) || res.headersSent || res.destroyed || req.socket.destroyed) {
        return false
      }
      attempts.set(req, RETRIED)
      dropIdleConnections(agent)
      send(res)
      return true
    },
  }
}

/** Sent again, the request says the same: an idempotent method, and no body to read twice. */
function replayable(req: IncomingMessage): boolean {
  if (!IDEMPOTENT.has(req.method ?? '')) return false
  if (req.headers['transfer-encoding'] !== undefined) return false
  const length = req.headers['content-length']
  return length === undefined || Number(length) === 0
}

/**
 * The connections that idled longer than the one that broke are as likely closed: dropped, they
 * leave the retry a new connection.
 */
function dropIdleConnections(agent: Agent): void {
  const idle = Object.values(agent.freeSockets).flatMap((sockets) => sockets ?? [])
  for (const socket of idle) {
    // Node's documented way out of the pool; destroy alone leaves it there until 'close'.
    socket.emit('agentRemove')
    socket.destroy()
  }
}
