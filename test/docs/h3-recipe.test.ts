import { getCookie, H3 } from 'h3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getCorbadoSession, withCorbadoKeepAlive } from '../../src/fetch.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { cookies, setCookieOf, valueOf } from '../helpers/http.js'

// The h3 (v2) recipe of docs/frameworks.md, run through h3's own request handling.
describe('recipe: h3 v2', () => {
  let fake: FakeCorbado

  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await fake.close()
  })

  it('h3 handlers read the refreshed token and session; the browser receives the cookie', async () => {
    const app = new H3()
    app.get('/me', (event) => ({
      user: getCorbadoSession(event.req)?.userId ?? null,
      token: getCookie(event, 'cbo_session_token') ?? null,
    }))
    const fetchHandler = withCorbadoKeepAlive(
      { projectId: fake.projectId, frontendApiUrl: fake.url },
      (request) => app.fetch(request),
    )

    const { sessionToken, refreshToken } = fake.login('usr-7', { sessionLifetimeSeconds: 30 })
    const response = await fetchHandler(
      new Request('http://app.test/me', {
        headers: {
          cookie: cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
        },
      }),
    )
    const written = valueOf(setCookieOf(response, 'cbo_session_token'))
    expect(written).toBeDefined()
    expect(written).not.toBe(sessionToken)
    expect(await response.json()).toEqual({ user: 'usr-7', token: written })
    expect(response.headers.get('cache-control')).toBe('private, no-store')
  })
})
