/**
 * The client's address for the proxy's refresh rate limit. With `--trust-proxy` the proxy in
 * front is trusted to append the address it saw to `X-Forwarded-For`, so the last entry is the
 * client (entries before it are whatever the client claimed); without it, the socket's address,
 * and a warning, once, when the header arrives anyway.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http'
import { hasForwardedFor, warnOnce } from '../core/forwarded-for.js'
import type { LineLogger } from './log.js'

/** A `refreshRateLimit.clientKey` for the proxy. */
export function proxyClientKey(
  trustProxy: boolean,
  logger: LineLogger,
): (req: IncomingMessage) => string | undefined {
  const warn = warnOnce((context, message) => {
    logger.warn(context, message)
  })
  return (req) => {
    if (trustProxy) {
      const forwarded = lastEntry(req.headers['x-forwarded-for'])
      if (forwarded !== undefined) return forwarded
    } else if (hasForwardedFor(req.headers)) {
      warn()
    }
    return req.socket.remoteAddress
  }
}

/** The last non-empty entry of an `X-Forwarded-For` header (Node joins repeated ones with ','). */
function lastEntry(header: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(header) ? header.join(',') : header
  const last = joined
    ?.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .at(-1)
  return last === undefined || last.length > 64 ? undefined : last
}
