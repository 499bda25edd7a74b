/**
 * Request paths the gateway refuses: those that could leave the Frontend API's path prefix once
 * the Frontend API (or a server in front of it) normalises them. Corbado's paths never contain
 * dot-segments, encoded slashes or backslashes, so refusing them costs nothing.
 *
 * @module
 */
import type { ServerResponse } from 'node:http'

/** A dot-segment (`.` or `..`), also percent-encoded (`%2e`). */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i
/** An encoded `/` or `\`, or a backslash: a server may read any of them as a separator. */
const HIDDEN_SEPARATOR = /%2f|%5c|\\/i

/** Whether the path of `url` (its query is not looked at) could escape a path prefix. */
export function isTraversalPath(url: string): boolean {
  const path = url.split('?', 1)[0] ?? ''
  return HIDDEN_SEPARATOR.test(path) || path.split('/').some((segment) => DOT_SEGMENT.test(segment))
}

/** The JSON body of the gateway's `400`: the shape of Corbado's error envelope. */
export interface BadRequestBody {
  readonly httpStatusCode: 400
  readonly message: string
  readonly error: { readonly type: 'bad_request'; readonly links: [] }
}

/** Answer `400` in Corbado's error envelope (its SDK reads `error.type`). */
export function refusePath(res: ServerResponse): void {
  const body: BadRequestBody = {
    httpStatusCode: 400,
    message: 'The request path is not allowed',
    error: { type: 'bad_request', links: [] },
  }
  const text = JSON.stringify(body)
  res.writeHead(400, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
  })
  res.end(text)
}
