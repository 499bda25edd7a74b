/**
 * `createNextKeepAlive` in a proxy with logic of its own: the session goes into whatever
 * response the app built (next, rewrite, redirect), with Next's real `NextRequest` and
 * `NextResponse` and the fake Frontend API.
 */
import { NextRequest, NextResponse } from 'next/server.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNextKeepAlive } from '../../src/next.js'
import type { NextKeepAlive } from '../../src/next.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { setCookieOf, valueOf } from '../helpers/http.js'
import { nearExpirySession } from '../helpers/sessions.js'

const SESSION = 'cbo_session_token'

describe('createNextKeepAlive in a composed proxy', () => {
  let fake: FakeCorbado
  let keepAlive: NextKeepAlive

  beforeAll(async () => {
    fake = await startFakeCorbado()
    keepAlive = createNextKeepAlive({ projectId: fake.projectId, frontendApiUrl: fake.url })
  })
  afterAll(() => fake.close())

  function request(cookie: string, path = '/account'): NextRequest {
    return new NextRequest(`http://127.0.0.1${path}`, { headers: { cookie, 'x-app': 'kept' } })
  }

  it('keeps the fresh session cookie on a redirect, and hands nothing on to a render', async () => {
    const session = nearExpirySession(fake, 'usr-201')
    const { session: fresh, finalize } = await keepAlive.handle(request(session.header))
    const response = finalize(NextResponse.redirect('http://127.0.0.1/en/account'))
    expect(response.status).toBe(307)
    expect(response.headers.get('location')).toBe('http://127.0.0.1/en/account')
    expect(valueOf(setCookieOf(response, SESSION))).toBe(fresh?.token)
    expect(response.headers.get('cache-control')).toBe('private, no-store')
    expect(response.headers.get('x-middleware-override-headers')).toBeNull()
  })

  it('keeps the cookie on an immutable Response.redirect()', async () => {
    const session = nearExpirySession(fake, 'usr-202')
    const { session: fresh, finalize } = await keepAlive.handle(request(session.header))
    const response = finalize(Response.redirect('http://127.0.0.1/login', 303))
    expect(response.status).toBe(303)
    expect(valueOf(setCookieOf(response, SESSION))).toBe(fresh?.token)
  })

  it('hands the fresh Cookie header to the render of a rewrite', async () => {
    const session = nearExpirySession(fake, 'usr-203')
    const { session: fresh, finalize } = await keepAlive.handle(request(session.header))
    const response = finalize(NextResponse.rewrite('http://127.0.0.1/en/account'))
    const overridden = response.headers.get('x-middleware-override-headers')?.split(',')
    expect(overridden).toEqual(expect.arrayContaining(['cookie', 'x-app']))
    expect(response.headers.get('x-middleware-request-cookie')).toContain(
      `${SESSION}=${fresh!.token}`,
    )
    expect(response.headers.get('x-middleware-rewrite')).toBe('http://127.0.0.1/en/account')
  })

  it('keeps the request headers the app overrides itself, adding only the Cookie header', async () => {
    const session = nearExpirySession(fake, 'usr-204')
    const incoming = request(session.header)
    const { session: fresh, finalize } = await keepAlive.handle(incoming)
    const headers = new Headers({ 'x-locale': 'de' })
    const response = finalize(NextResponse.next({ request: { headers } }))
    expect(response.headers.get('x-middleware-override-headers')?.split(',').sort()).toEqual([
      'cookie',
      'x-locale',
    ])
    expect(response.headers.get('x-middleware-request-x-locale')).toBe('de')
    expect(response.headers.get('x-middleware-request-cookie')).toContain(
      `${SESSION}=${fresh!.token}`,
    )
  })

  /** The docs' example: the request's headers, plus one of the app's. */
  function docsExample(incoming: NextRequest, finalize: (response: Response) => Response) {
    const headers = new Headers(incoming.headers)
    headers.set('x-locale', 'de')
    const response = finalize(NextResponse.next({ request: { headers } }))
    expect(response.headers.get('x-middleware-override-headers')?.split(',').sort()).toEqual([
      'cookie',
      'x-app',
      'x-locale',
    ])
    expect(response.headers.get('x-middleware-request-x-app')).toBe('kept')
    expect(response.headers.get('x-middleware-request-x-locale')).toBe('de')
    return response.headers.get('x-middleware-request-cookie')
  }

  it('the docs’ example hands the render every header, the Cookie as it came for a fresh session', async () => {
    const cookie = `${SESSION}=${fake.login('usr-205').sessionToken}`
    const incoming = request(cookie)
    const { finalize } = await keepAlive.handle(incoming)
    expect(docsExample(incoming, finalize)).toBe(cookie)
  })

  it('the docs’ example hands the render every header, the fresh Cookie after a refresh', async () => {
    const session = nearExpirySession(fake, 'usr-206')
    const incoming = request(session.header)
    const { session: fresh, finalize } = await keepAlive.handle(incoming)
    const cookie = docsExample(incoming, finalize)
    expect(cookie).toContain(`${SESSION}=${fresh!.token}`)
    expect(cookie).not.toContain(session.sessionToken)
  })

  it('after a refresh, the render gets the cookies the app added as well as the fresh token', async () => {
    const session = nearExpirySession(fake, 'usr-207')
    const incoming = request(session.header)
    const { session: fresh, finalize } = await keepAlive.handle(incoming)
    incoming.cookies.set('ab-variant', 'b')
    const response = finalize(NextResponse.next({ request: { headers: incoming.headers } }))
    const cookie = response.headers.get('x-middleware-request-cookie') ?? ''
    expect(cookie).toContain('ab-variant=b')
    expect(cookie).toContain(`${SESSION}=${fresh!.token}`)
    expect(cookie).not.toContain(session.sessionToken)
    expect(cookie).toContain(`cbo_refresh_token=${session.refreshToken}`)
  })

  it('leaves the request body readable for the proxy after a refresh', async () => {
    const session = nearExpirySession(fake, 'usr-208')
    const incoming = new NextRequest('http://127.0.0.1/form', {
      method: 'POST',
      headers: { cookie: session.header, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'csrf=token-1',
    })
    const { session: fresh, finalize } = await keepAlive.handle(incoming)
    expect(fresh?.refreshed).toBe(true)
    expect(await incoming.text()).toBe('csrf=token-1')
    const response = finalize(NextResponse.next())
    expect(response.headers.get('x-middleware-request-cookie')).toContain(fresh!.token)
  })

  it('leaves the response of an anonymous request as the app built it', async () => {
    const { session, finalize } = await keepAlive.handle(request('theme=dark', '/'))
    const built = NextResponse.next()
    const response = finalize(built)
    expect(session).toBeUndefined()
    expect(response).toBe(built)
    expect([...response.headers.keys()]).toEqual(['x-middleware-next'])
  })
})
