/** Sessions from the fake Frontend API, ready to send. */
import type { FakeCorbado } from '../../src/testing/index.js'
import { cookies } from './http.js'

/**
 * Sign `userId` in with a session-token that has 30 s left (inside the default 60 s refresh
 * window), and the Cookie header that carries it with its refresh-token.
 */
export function nearExpirySession(fake: FakeCorbado, userId: string) {
  const tokens = fake.login(userId, { sessionLifetimeSeconds: 30 })
  return {
    ...tokens,
    header: cookies({
      cbo_session_token: tokens.sessionToken,
      cbo_refresh_token: tokens.refreshToken,
    }),
  }
}
