/**
 * The fake's stores stay bounded: user fields have a maximum length, ended sessions are dropped,
 * and each map keeps only its newest entries.
 */
import { decodeJwt } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { startFakeCorbado, type FakeCorbado } from '../../src/testing/index.js'
import { SessionStore } from '../../src/testing/sessions.js'

const started: FakeCorbado[] = []

afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()))
})

async function start(): Promise<FakeCorbado> {
  const f = await startFakeCorbado()
  started.push(f)
  return f
}

function httpLogin(f: FakeCorbado, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${f.url}/__fake/login`, { method: 'POST', body: JSON.stringify(body) })
}

function refresh(f: FakeCorbado, refreshToken: string): Promise<Response> {
  return fetch(`${f.url}/v2/me/refresh`, {
    method: 'POST',
    headers: { 'x-corbado-projectid': f.projectId, authorization: `Bearer ${refreshToken}` },
  })
}

describe('user fields of at most 256 characters', () => {
  it('POST /__fake/login answers 400 validation_error for a longer userId, name or email', async () => {
    const f = await start()
    const long = 'x'.repeat(257)
    for (const body of [
      { userId: long },
      { userId: 'usr-1', name: long },
      { userId: 'usr-1', email: long },
    ]) {
      const res = await httpLogin(f, body)
      expect(res.status).toBe(400)
      const envelope = (await res.json()) as { message: string; error: { type: string } }
      expect(envelope.error.type).toBe('validation_error')
      expect(envelope.message).toMatch(/at most 256 characters/)
    }
    const oneMegabyte = await httpLogin(f, { userId: 'x'.repeat(1024 * 1024 - 100) })
    expect(oneMegabyte.status).toBe(400)
    const longest = await httpLogin(f, { userId: 'x'.repeat(256), name: 'n'.repeat(256) })
    expect(longest.status).toBe(200)
  })

  it('login() throws a RangeError for a longer userId, name or email', async () => {
    const f = await start()
    const long = 'x'.repeat(257)
    expect(() => f.login(long)).toThrow(RangeError)
    expect(() => f.login('usr-1', { name: long })).toThrow(/name must be at most 256 characters/)
    expect(() => f.login('usr-1', { email: long })).toThrow(/email must be at most 256 characters/)
    expect(() => f.login('x'.repeat(256))).not.toThrow()
  })
})

describe('ended sessions', () => {
  it('a revoked or logged-out session is dropped; its refresh-token still answers 401', async () => {
    const store = new SessionStore()
    store.upsertUser('usr-1', {})
    const revoked = store.start('usr-1', 300)
    const loggedOut = store.start('usr-1', 300)
    expect(store.end(revoked)).toBe(true)
    expect(store.end(loggedOut)).toBe(true)
    expect(store.end(revoked)).toBe(false)
    expect(store.end(undefined)).toBe(false)
    expect(store.size.sessions).toBe(0)
    expect(store.active(revoked)).toBeUndefined()
    // Token faults aimed at an ended session still mint for its user.
    expect(store.userIdOf(revoked)).toBe('usr-1')

    const f = await start()
    const { refreshToken } = f.login('usr-2')
    f.revoke(refreshToken)
    expect((await refresh(f, refreshToken)).status).toBe(401)
    f.setFault({ type: 'expired-token', times: 1 })
    const faulted = (await (await refresh(f, refreshToken)).json()) as { sessionToken: string }
    expect(decodeJwt(faulted.sessionToken).sub).toBe('usr-2')
  })
})

describe('bounded maps', () => {
  it('keeps the newest users, active sessions and ended sessions, dropping the oldest', () => {
    const store = new SessionStore(3)
    const tokens = ['usr-1', 'usr-2', 'usr-3', 'usr-4', 'usr-5'].map((id) => {
      store.upsertUser(id, { name: id })
      return store.start(id, 300)
    })
    expect(store.size).toEqual({ users: 3, sessions: 3, ended: 0 })
    expect(store.active(tokens[0])).toBeUndefined()
    expect(store.active(tokens[1])).toBeUndefined()
    expect(store.active(tokens[4])?.userId).toBe('usr-5')
    expect(store.user('usr-1').name).toBe('')
    expect(store.user('usr-5').name).toBe('usr-5')

    // Logging in again makes a user the newest.
    store.upsertUser('usr-3', {})
    store.upsertUser('usr-6', {})
    expect(store.user('usr-3').name).toBe('usr-3')
    expect(store.user('usr-4').name).toBe('')

    // The first of these sessions takes the place of the oldest active one.
    for (let i = 0; i < 5; i++) store.end(store.start('usr-6', 300))
    expect(store.size).toEqual({ users: 3, sessions: 2, ended: 3 })
    expect(store.active(tokens[2])).toBeUndefined()
    expect(store.active(tokens[3])?.userId).toBe('usr-4')
  })

  it('the fake keeps at most 20,000 of each', () => {
    const store = new SessionStore()
    for (let i = 0; i < 20_005; i++) store.end(store.start(store.upsertUser(`usr-${i}`, {}).id, 1))
    expect(store.size).toEqual({ users: 20_000, sessions: 0, ended: 20_000 })
  })
})
