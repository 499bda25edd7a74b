/**
 * The connection pool for an upstream: one setup for the gateway and the proxy.
 *
 * @module
 */
import { Agent as HttpAgent } from 'node:http'
import type { ClientRequestArgs } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import type { Duplex } from 'node:stream'

/**
 * How long, in milliseconds, a connection may sit idle in the pool before it is closed.
 *
 * Servers close idle keep-alive connections on their own clock, most without announcing it
 * (nginx, load balancers): a request sent as the server closes its connection fails. Below Node's
 * own 5 s `keepAliveTimeout` and far below nginx's 75 s or a load balancer's 60 s, the pool lets
 * go first. A shorter `Keep-Alive: timeout=` announced by the server still wins.
 */
export const POOL_IDLE_TIMEOUT_MS = 4_000

type OnCreate = (error: Error | null, socket: Duplex) => void

/** Node applies an agent's `timeout` to connecting too: it is meant for idle sockets alone. */
function connectOptions(options: ClientRequestArgs): ClientRequestArgs {
  return { ...options, timeout: undefined }
}

class HttpPool extends HttpAgent {
  override createConnection(options: ClientRequestArgs, callback?: OnCreate) {
    return super.createConnection(connectOptions(options), callback)
  }
}

class HttpsPool extends HttpsAgent {
  override createConnection(options: ClientRequestArgs, callback?: OnCreate) {
    return super.createConnection(connectOptions(options), callback)
  }
}

/**
 * An agent that keeps connections to `upstream` open between requests, for its protocol, and
 * closes a connection idle for `idleTimeoutMs` (default {@link POOL_IDLE_TIMEOUT_MS}). Connecting
 * is bounded by the request's own timeout, not by `idleTimeoutMs`.
 */
export function keepAliveAgent(
  upstream: URL,
  idleTimeoutMs: number = POOL_IDLE_TIMEOUT_MS,
): HttpAgent {
  const options = { keepAlive: true, timeout: idleTimeoutMs }
  return upstream.protocol === 'https:' ? new HttpsPool(options) : new HttpPool(options)
}
