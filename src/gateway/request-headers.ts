/**
 * What the gateway sends to the Frontend API: only the request headers Corbado's SDK and the
 * browser's CORS and caching machinery use, so the app's credentials (`Authorization: Basic` of a
 * password-protected staging site, `Proxy-Authorization`, CSRF tokens, API keys) and a client's
 * forged forwarding headers never reach Corbado.
 *
 * @module
 */
import type { ClientRequest, IncomingMessage } from 'node:http'
import { removeHopByHopHeaders } from '../node/hop-by-hop.js'

/**
 * Request headers forwarded to the Frontend API, lower-case. Everything else is dropped.
 * `Cookie` is limited to `cbo_*` cookies and `Authorization` to `Bearer` elsewhere; `Host` is the
 * Frontend API's own; `X-Forwarded-*` are set by the gateway from what it saw.
 */
export const FORWARDED_REQUEST_HEADERS: readonly string[] = Object.freeze([
  // the message and content negotiation
  'host',
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'accept',
  'accept-encoding',
  'accept-language',
  'user-agent',
  // caching and conditional requests (the SDK sends Cache-Control, Pragma and Expires)
  'cache-control',
  'pragma',
  'expires',
  'if-none-match',
  'if-modified-since',
  // CORS, so the project's authorized origins stay the one rule
  'origin',
  'access-control-request-method',
  'access-control-request-headers',
  // Corbado's SDK; its login flow names its process in the last two, on every call after the first
  'x-corbado-projectid',
  'x-corbado-sdk',
  'x-corbado-client-timezone',
  'x-corbado-flags',
  'x-corbado-process-id',
  'x-corbado-temp-process-id',
  // credentials, each narrowed
  'cookie',
  'authorization',
])

const FORWARDED = new Set(FORWARDED_REQUEST_HEADERS)
/** The SDK sends `Bearer <refresh-token>` in dev projects and an empty `Bearer ` in prod. */
const BEARER = /^bearer(?:[ \t]|$)/i

/**
 * Reduce the outgoing request's headers to {@link FORWARDED_REQUEST_HEADERS} (hop-by-hop ones
 * removed first), keep `Authorization` only as `Bearer`, and set `X-Forwarded-Host` and
 * `X-Forwarded-Proto` to what the gateway received. `X-Forwarded-For` gets the client's address
 * appended: its last entry is always the gateway's own view.
 */
export function narrowRequestHeaders(outgoing: ClientRequest, req: IncomingMessage): void {
  removeHopByHopHeaders(outgoing, req.headers)
  for (const name of outgoing.getHeaderNames()) {
    if (!FORWARDED.has(name)) outgoing.removeHeader(name)
  }
  const authorization = outgoing.getHeader('authorization')
  if (authorization !== undefined && !BEARER.test(String(authorization))) {
    outgoing.removeHeader('authorization')
  }
  const priorFor = req.headers['x-forwarded-for']
  const address = req.socket.remoteAddress ?? ''
  outgoing.setHeader(
    'x-forwarded-for',
    typeof priorFor === 'string' && priorFor !== '' ? `${priorFor}, ${address}` : address,
  )
  if (req.headers.host !== undefined) outgoing.setHeader('x-forwarded-host', req.headers.host)
  outgoing.setHeader('x-forwarded-proto', isEncrypted(req) ? 'https' : 'http')
}

function isEncrypted(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true
}
