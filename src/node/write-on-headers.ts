/**
 * Writing the session cookie at the moment a Node response's headers are written, whatever
 * writes them: `res.end`, `res.write`, `flushHeaders`, a redirect, a piped stream. Adapters for
 * every framework built on `node:http` share it.
 *
 * @module
 */
import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { mergeSessionHeaders } from '../core/merge-session-headers.js'

/**
 * Merge `setCookies` into `res`'s headers just before they are written, keeping every
 * `Set-Cookie` downstream wrote (through `setHeader`, `append`, `res.cookie` or `writeHead`, with
 * an object or raw array headers). Does nothing when the headers were already sent, so it never
 * throws `ERR_HTTP_HEADERS_SENT`.
 */
export function writeOnHeaders(res: ServerResponse, setCookies: readonly string[]): void {
  if (setCookies.length === 0 || res.headersSent) return
  // eslint-disable-next-line @typescript-eslint/unbound-method -- re-applied with the response as `this`
  const writeHead = res.writeHead
  // Replace writeHead for this one response; every path to the wire goes through it.
  res.writeHead = function writeHeadWithSession(this: ServerResponse, ...args: unknown[]) {
    res.writeHead = writeHead
    const headersAt = typeof args[1] === 'string' ? 2 : 1
    const passed = headerFields(args[headersAt])
    if (passed !== undefined) {
      // Node gives headers passed to writeHead precedence over setHeader; apply them first so
      // the merge below sees them too.
      for (const [name, value] of passed) res.setHeader(name, value)
      args = args.slice(0, headersAt)
    }
    mergeSessionHeaders(setCookies, {
      get: (name) => res.getHeader(name),
      set: (name, value) => res.setHeader(name, value),
      remove: (name) => {
        res.removeHeader(name)
      },
    })
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args)
  }
}

type HeaderValue = OutgoingHttpHeader

/**
 * The headers passed to `writeHead`, one entry per name (case-insensitive, first spelling kept)
 * with every value of that name, in order: an object, a flat `[name, value, name, value, …]`
 * array or `[[name, value], …]` pairs (raw headers, as Node's `_storeHeader` accepts them).
 * `undefined` when there are none or they are malformed: Node then answers them as it would.
 */
function headerFields(passed: unknown): [string, HeaderValue][] | undefined {
  if (typeof passed !== 'object' || passed === null) return undefined
  if (!Array.isArray(passed)) {
    return Object.entries(passed as OutgoingHttpHeaders).filter(
      (entry): entry is [string, HeaderValue] => entry[1] !== undefined,
    )
  }
  const raw = passed as unknown[]
  const pairs: unknown[][] = raw.every((entry) => Array.isArray(entry))
    ? (raw as unknown[][])
    : raw.length % 2 === 0
      ? Array.from({ length: raw.length / 2 }, (_, i) => [raw[2 * i], raw[2 * i + 1]])
      : []
  if (pairs.length === 0) return undefined
  const fields = new Map<string, [string, string[]]>()
  for (const [name, value] of pairs) {
    if (typeof name !== 'string' || name === '' || !isHeaderValue(value)) return undefined
    const field = fields.get(name.toLowerCase()) ?? [name, []]
    fields.set(name.toLowerCase(), field)
    field[1].push(...(Array.isArray(value) ? value : [String(value)]))
  }
  return [...fields.values()].map(([name, values]) => [
    name,
    values.length === 1 ? (values[0] ?? '') : values,
  ])
}

function isHeaderValue(value: unknown): value is OutgoingHttpHeader {
  if (Array.isArray(value)) return value.every((item) => typeof item === 'string')
  return typeof value === 'string' || typeof value === 'number'
}
