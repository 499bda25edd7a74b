/**
 * Hop-by-hop request headers (RFC 9110 §7.6.1): they describe one connection, so a proxy must not
 * forward them to the next. Shared by the gateway and the command line's backend hop.
 *
 * @module
 */
import type { ClientRequest, IncomingHttpHeaders } from 'node:http'

/**
 * Always connection-specific, whatever `Connection` lists. `Transfer-Encoding` is not among them:
 * Node re-frames the body it forwards and keeps the header consistent with that framing.
 * `Proxy-Authorization` is a credential for this hop only.
 */
export const HOP_BY_HOP_HEADERS: readonly string[] = Object.freeze([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
])

/**
 * Kept even when the client's `Connection` names them. Without its framing header the body would
 * go upstream unframed, and the next hop would read it as a request of the client's making (request
 * smuggling); without `Host` the request has no target.
 */
const NEVER_NAMED_AWAY: ReadonlySet<string> = new Set([
  'content-length',
  'transfer-encoding',
  'host',
])

/**
 * Remove from the outgoing request every hop-by-hop header: {@link HOP_BY_HOP_HEADERS} and each
 * header the client's `Connection` names, except the body's framing and `Host`. For a WebSocket
 * (or other) upgrade, `Upgrade` and `Connection: Upgrade` are what is being forwarded, so they are
 * kept.
 */
export function removeHopByHopHeaders(
  outgoing: ClientRequest,
  incoming: IncomingHttpHeaders,
  upgrade = false,
): void {
  const listed = (incoming.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '' && !NEVER_NAMED_AWAY.has(name))
  for (const name of [...HOP_BY_HOP_HEADERS, ...listed]) {
    if (upgrade && (name === 'upgrade' || name === 'connection')) continue
    outgoing.removeHeader(name)
  }
  if (upgrade) outgoing.setHeader('connection', 'Upgrade')
}
