/**
 * Whose user `onSessionEnded` names: only one the keep-alive verified. With `verify: false` a
 * token's subject is only decoded, so anyone can write one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeepAlive } from '../../src/index.js'
import type { SessionEndedEvent } from '../../src/index.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { cookies } from '../helpers/http.js'

let fake: FakeCorbado
beforeAll(async () => {
  fake = await startFakeCorbado()
})
afterAll(async () => {
  await fake.close()
})

async function endedEvent(verify: boolean, sessionToken: string): Promise<SessionEndedEvent> {
  const events: SessionEndedEvent[] = []
  const keepAlive = createKeepAlive({
    projectId: fake.projectId,
    frontendApiUrl: fake.url,
    verify,
    onSessionEnded: (event) => events.push(event),
  })
  const { refreshToken } = fake.login('usr-owner')
  fake.revoke(refreshToken)
  const outcome = await keepAlive.handle({
    method: 'GET',
    cookieHeader: cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
    clientAddress: undefined,
    raw: {},
  })
  expect(outcome.action).toBe('ended')
  expect(events).toHaveLength(1)
  return events[0]!
}

/** A token near expiry that claims `sub`, signed by nobody Corbado knows. */
function forged(sub: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const exp = Math.floor(Date.now() / 1000) + 30
  return `${part({ alg: 'RS256', kid: 'forged' })}.${part({ sub, exp, iss: fake.url })}.c2ln`
}

describe('onSessionEnded userId', () => {
  it('names the user of a verified session-token', async () => {
    const token = fake.mintSessionToken('usr-alice', { expiresInSeconds: 30 })
    expect((await endedEvent(true, token)).userId).toBe('usr-alice')
  })

  it("with verify: false, names no user: the subject a cookie claims is anyone's to write", async () => {
    expect((await endedEvent(false, forged('usr-victim'))).userId).toBeUndefined()
  })
})
