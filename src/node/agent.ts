/**
 * The connection pool for an upstream: one setup for the gateway and the proxy.
 *
 * @module
 */
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'

/** An agent that keeps connections to `upstream` open between requests, for its protocol. */
export function keepAliveAgent(upstream: URL): HttpAgent {
  return upstream.protocol === 'https:'
    ? new HttpsAgent({ keepAlive: true })
    : new HttpAgent({ keepAlive: true })
}
