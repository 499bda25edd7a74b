/**
 * HTTP helpers of the fake: JSON answers, CORS, request bodies, credentials and cookies.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { parseCookie, stringifySetCookie } from 'cookie'

/** Cookie names the FAPI reads the refresh-token from, preferred first (the second is legacy). */
export const REFRESH_COOKIES = ['cbo_refresh_token', 'cbo_long_session'] as const

const ALLOW_METHODS = 'POST, GET, PATCH, DELETE, OPTIONS'
const ALLOW_HEADERS =
  'Authorization, Content-Type, X-Corbado-ProjectID, X-Corbado-SDK, X-Corbado-Client-Timezone, ' +
  'X-Corbado-Flags, Cache-Control, Pragma, Expires'

/** Answer `status` with a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  })
  res.end(text)
}

/**
 * Credentialed CORS for an authorized origin: the exact `Origin` echoed, with credentials.
 * `authorized` undefined authorizes every origin (as a Corbado dev project does).
 * Returns `false` for a request from an origin that is not authorized (it gets no CORS headers).
 */
export function applyCors(
  req: IncomingMessage,
  res: ServerResponse,
  authorized: ReadonlySet<string> | undefined,
): boolean {
  res.setHeader('vary', 'Origin')
  const origin = req.headers.origin
  if (origin === undefined) return true
  if (authorized !== undefined && !authorized.has(origin)) return false
  res.setHeader('access-control-allow-origin', origin)
  res.setHeader('access-control-allow-credentials', 'true')
  return true
}

/** Answer a CORS preflight. */
export function sendPreflight(res: ServerResponse): void {
  res.writeHead(204, {
    'access-control-allow-methods': ALLOW_METHODS,
    'access-control-allow-headers': ALLOW_HEADERS,
    'access-control-max-age': '600',
  })
  res.end()
}

/**
 * Read the request body, keeping at most `limit` bytes; `undefined` when it was longer.
 * The rest is still drained so the connection stays usable.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size <= limit) chunks.push(chunk)
  }
  return size <= limit ? Buffer.concat(chunks) : undefined
}

/** The token of `Authorization: Bearer <token>`, or `undefined` when absent or empty. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer[ \t]+(.*)$/i.exec(req.headers.authorization ?? '')
  const token = match?.[1]?.trim()
  return token === undefined || token === '' ? undefined : token
}

/** The refresh-token: the bearer, else cookie `cbo_refresh_token`, else `cbo_long_session`. */
export function refreshTokenOf(req: IncomingMessage): string | undefined {
  const bearer = bearerToken(req)
  if (bearer !== undefined) return bearer
  const cookies = parseCookie(req.headers.cookie ?? '')
  for (const name of REFRESH_COOKIES) {
    const value = cookies[name]
    if (value !== undefined && value !== '') return value
  }
  return undefined
}

/**
 * A `Set-Cookie` value for a refresh-token cookie (`HttpOnly; Secure; SameSite=Lax; Path=/`);
 * `value: undefined` clears it with `Max-Age=0`.
 */
export function refreshCookie(
  name: string,
  value: string | undefined,
  domain: string | undefined,
): string {
  return stringifySetCookie({
    name,
    value: value ?? '',
    ...(value === undefined ? { maxAge: 0 } : {}),
    ...(domain === undefined ? {} : { domain }),
    path: '/',
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
  })
}
