/**
 * Handing the fresh session-token to downstream on a Web `Request`.
 *
 * @module
 */

/**
 * A Request like `request` (same method, URL, body, signal, …) whose `Cookie` header is
 * `cookieHeader`; `''` removes the header. The body is handed over as a stream, never buffered:
 * `request` itself must not be read afterwards. A body already read (or being read) before, by an
 * earlier middleware, cannot be handed over: the new Request then has none, as `request` has nothing
 * left to read either.
 */
export function withCookieHeader(request: Request, cookieHeader: string): Request {
  const headers = headersWithCookie(request.headers, cookieHeader)
  if (request.bodyUsed || request.body?.locked === true) {
    // `new Request(request)` throws for a used body: a framework would answer 500. Without a body,
    // its length must not be announced either: a hop that forwards the request would wait for it.
    headers.delete('content-length')
    headers.delete('transfer-encoding')
    return new Request(request.url, {
      method: request.method,
      headers,
      signal: request.signal,
      redirect: request.redirect,
    })
  }
  // A streamed body needs `duplex: 'half'` in Node's fetch; other runtimes ignore the field.
  const init: RequestInit & { duplex?: 'half' } = { headers }
  if (request.body !== null) init.duplex = 'half'
  return new Request(request, init)
}

/** A copy of `headers` whose `Cookie` header is `cookieHeader`; `''` removes the header. */
export function headersWithCookie(headers: Headers, cookieHeader: string): Headers {
  const copy = new Headers(headers)
  if (cookieHeader === '') copy.delete('cookie')
  else copy.set('cookie', cookieHeader)
  return copy
}
