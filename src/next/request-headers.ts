/**
 * Handing the fresh Cookie header to the render through Next's request-header override, the
 * mechanism behind `NextResponse.next({ request: { headers } })`.
 *
 * @module
 */
import type { NextResponse } from 'next/server.js'
import { applyCookieChanges } from '../core/request-cookies.js'

/**
 * The prefix of the response headers Next reads as instructions (`x-middleware-next`,
 * `x-middleware-override-headers`, `x-middleware-request-<name>`, …). Sent by a client on the
 * request, such a header would travel on as data, so it is never handed on.
 */
const INSTRUCTION_PREFIX = 'x-middleware-'
const OVERRIDE_LIST = 'x-middleware-override-headers'
const OVERRIDE_VALUE = 'x-middleware-request-'

/** `headers` without any header whose name Next reserves for its own instructions. */
export function withoutInstructions(headers: Headers): Headers {
  const clean = new Headers(headers)
  for (const name of [...clean.keys()]) {
    if (name.startsWith(INSTRUCTION_PREFIX)) clean.delete(name)
  }
  return clean
}

/** Whether a client sent a header under a name Next reserves for its own instructions. */
export function hasInstructions(headers: Headers): boolean {
  for (const name of headers.keys()) {
    if (name.startsWith(INSTRUCTION_PREFIX)) return true
  }
  return false
}

/**
 * Make `response` hand `requestHeaders` to the render: what `NextResponse.next({ request: {
 * headers } })` writes (`next` is `NextResponse`), added to a response the app built. When the app
 * already overrides request headers of its own, those are kept. Its own `Cookie` header (one it
 * may have added cookies to) then only gets `cookieChanges`, the outcome's `requestCookies`;
 * without one, the render gets the `Cookie` header of `requestHeaders`.
 */
export function overrideRequestHeaders(
  next: typeof NextResponse,
  response: Response,
  requestHeaders: Headers,
  cookieChanges: Readonly<Record<string, string | undefined>>,
): void {
  const ours = next.next({ request: { headers: requestHeaders } }).headers
  const target = response.headers
  const appList = target.get(OVERRIDE_LIST)
  if (appList === null) {
    for (const [name, value] of ours) {
      if (name === OVERRIDE_LIST || name.startsWith(OVERRIDE_VALUE)) target.set(name, value)
    }
    return
  }
  const names = new Set(appList.split(',').map((name) => name.trim()))
  const appCookie = names.has('cookie') ? target.get(`${OVERRIDE_VALUE}cookie`) : null
  const cookie =
    appCookie === null
      ? ours.get(`${OVERRIDE_VALUE}cookie`)
      : applyCookieChanges(appCookie, cookieChanges)
  if (cookie === null || cookie === '') {
    names.delete('cookie')
    target.delete(`${OVERRIDE_VALUE}cookie`)
  } else {
    names.add('cookie')
    target.set(`${OVERRIDE_VALUE}cookie`, cookie)
  }
  target.set(OVERRIDE_LIST, [...names].join(','))
}
