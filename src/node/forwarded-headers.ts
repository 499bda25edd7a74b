/**
 * `X-Forwarded-For`, `-Proto`, `-Host` and `Forwarded` (RFC 7239) on a proxied request. At the
 * edge they are overwritten with what this hop saw, so a client cannot claim another host, scheme
 * or address; behind a trusted proxy this hop's view is appended to what that proxy sent.
 *
 * @module
 */
import type { ClientRequest, IncomingMessage } from 'node:http'

/**
 * Set the forwarding headers of `outgoing` from what `req` arrived with.
 *
 * @param trustProxy - `false`: this hop is the edge; the client's values are discarded.
 *   `true`: a trusted proxy stands in front; its values are kept and this hop's appended.
 */
export function setForwardedHeaders(
  outgoing: ClientRequest,
  req: IncomingMessage,
  trustProxy: boolean,
): void {
  const address = req.socket.remoteAddress ?? ''
  const proto = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http'
  const host = req.headers.host ?? ''
  const seen: Record<string, string> = {
    'x-forwarded-for': address,
    'x-forwarded-proto': proto,
    'x-forwarded-host': host,
    forwarded: `for=${forwardedNode(address)};host=${quoted(host)};proto=${proto}`,
  }
  for (const [name, value] of Object.entries(seen)) {
    const prior = trustProxy ? req.headers[name] : undefined
    const chain = (Array.isArray(prior) ? prior.join(', ') : (prior ?? '')).trim()
    outgoing.setHeader(name, chain === '' ? value : `${chain}, ${value}`)
  }
}

/** A `for=` node of RFC 7239: an IPv6 address is bracketed and quoted. */
function forwardedNode(address: string): string {
  return address.includes(':') ? `"[${address}]"` : quoted(address)
}

/** A token as it is, anything else as a quoted-string (a host with a port has a `:`). */
function quoted(value: string): string {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)
    ? value
    : `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}
