/**
 * Writing the session cookie at the moment a Node response's headers are written, whatever
 * writes them: `res.end`, `res.write`, `flushHeaders`, a redirect, a piped stream. Adapters for
 * every framework built on `node:http` share it.
 *
 * @module
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { mergeSessionHeaders } from '../core/merge-session-headers.js'

/**
 * Merge `setCookies` into `res`'s headers just before they are written, keeping every
 * `Set-Cookie` downstream wrote (through `setHeader`, `append`, `res.cookie` or `writeHead`).
 * Does nothing when the headers were already sent, so it never throws `ERR_HTTP_HEADERS_SENT`.
 */
export function writeOnHeaders(res: ServerResponse, setCookies: readonly string[]): void {
  if (setCookies.length === 0 || res.headersSent) return
  // eslint-disable-next-line @typescript-eslint/unbound-method -- re-applied with the response as `this`
  const writeHead = res.writeHead
  // Replace writeHead for this one response; every path to the wire goes through it.
  res.writeHead = function writeHeadWithSession(this: ServerResponse, ...args: unknown[]) {
    res.writeHead = writeHead
    const headersAt = typeof args[1] === 'string' ? 2 : 1
    const passed = args[headersAt]
    if (isHeaderObject(passed)) {
      // Node gives headers passed to writeHead precedence over setHeader; apply them first so
      // the merge below sees them too.
      for (const [name, value] of Object.entries(passed)) {
        if (value !== undefined) res.setHeader(name, value)
      }
      args = args.slice(0, headersAt)
    }
    mergeSessionHeaders(setCookies, {
      get: (name) => res.getHeader(name),
      set: (name, value) => res.setHeader(name, value),
    })
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args)
  }
}

function isHeaderObject(value: unknown): value is OutgoingHttpHeaders {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
