/**
 * A session-token inside the refresh window is refreshed whatever its check finds, so when the
 * key it names is held, its refresh call does not wait for the RS256 check. Through
 * createKeepAlive().handle() against the fake Frontend API over HTTP, with a `fetch` that sees
 * what was verified when each call went out, and that can hold the key download.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createKeepAlive } from '../../src/index.js'
import type { KeepAlive } from '../../src/index.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { cookies } from '../helpers/http.js'
import { nearExpirySession } from '../helpers/sessions.js'

/** jose downloads the keys again for an unknown `kid` only this long after the last download. */
const JWKS_COOLDOWN_MS = 30_000
const REFRESH_TIMEOUT_MS = 500

let fake: FakeCorbado
beforeAll(async () => {
  fake = await startFakeCorbado()
})
afterAll(async () => {
  await fake.close()
})
afterEach(() => {
  vi.useRealTimers()
})

/**
 * A keep-alive, warmed with one verified session, whose `fetch` notes how many tokens were
 * verified when each refresh call went out, and holds key downloads once told to.
 */
async function watchedKeepAlive() {
  let holdKeys = false
  const verifiedAtRefreshCalls: number[] = []
  const verified = () => k.stats().verifiedTokenCache.size
  const k: KeepAlive<object> = createKeepAlive<object>({
    projectId: fake.projectId,
    frontendApiUrl: fake.url,
    refreshTimeoutMs: REFRESH_TIMEOUT_MS,
    fetch: async (input, init) => {
      const url = input instanceof Request ? input.url : String(input)
      if (url.endsWith('/v2/me/refresh')) verifiedAtRefreshCalls.push(verified())
      if (url.includes('jwks') && holdKeys) await new Promise(() => undefined)
      return fetch(input, init)
    },
  })
  const send = (cookieHeader: string) =>
    k.handle({ method: 'GET', cookieHeader, clientAddress: '192.0.2.7', raw: {} })
  const warm = fake.login('usr-early-warm')
  expect((await send(cookies({ cbo_session_token: warm.sessionToken }))).action).toBe('none')
  return {
    send,
    verified,
    verifiedAtRefreshCalls,
    holdKeys: () => {
      holdKeys = true
    },
  }
}

describe('a session-token inside the refresh window', () => {
  it('naming a key already held: its refresh call goes out before the token is verified', async () => {
    const { send, verified, verifiedAtRefreshCalls } = await watchedKeepAlive()
    const near = nearExpirySession(fake, 'usr-early-1')
    const before = verified()

    const outcome = await send(near.header)

    expect(verifiedAtRefreshCalls).toEqual([before])
    expect(outcome.action).toBe('refreshed')
    expect(outcome.session?.userId).toBe('usr-early-1')
  })

  it('naming a key already held, with another user’s refresh-token: the early call’s result is refused', async () => {
    const { send, verified, verifiedAtRefreshCalls } = await watchedKeepAlive()
    const victim = fake.login('usr-early-victim')
    const near = nearExpirySession(fake, 'usr-early-2')
    const before = verified()

    const outcome = await send(
      cookies({ cbo_session_token: near.sessionToken, cbo_refresh_token: victim.refreshToken }),
    )

    expect(verifiedAtRefreshCalls).toEqual([before])
    expect(outcome.action).not.toBe('refreshed')
    expect(outcome.failure).toBe('subject-mismatch')
    expect(outcome.session?.userId).toBe('usr-early-2')
  })

  it('naming a key just rotated in, whose download hangs: no refresh call is made', async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true })
    const { send, verifiedAtRefreshCalls, holdKeys } = await watchedKeepAlive()
    await fake.rotateSigningKey()
    vi.setSystemTime(Date.now() + JWKS_COOLDOWN_MS + 1000)
    holdKeys()
    const near = nearExpirySession(fake, 'usr-early-3')

    const outcome = await send(near.header)

    expect(verifiedAtRefreshCalls).toEqual([])
    expect(outcome.action).not.toBe('refreshed')
    expect(outcome.failure).toBe('timeout')
  })
})
