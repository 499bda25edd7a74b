import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenVerifier } from '../../src/core/token-verifier.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { heapUsedMb, sliceOfLarge } from '../helpers/heap.js'
import type { CorbadoSession } from '../../src/index.js'

describe('token verifier cache', () => {
  let fake: FakeCorbado

  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await fake.close()
  })

  function verifier(cacheSize = 100, verify = true) {
    return createTokenVerifier({
      verify,
      jwksUrl: `${fake.url}/.well-known/jwks`,
      issuers: [fake.url],
      projectId: fake.projectId,
      timeoutMs: 2000,
      fetch: globalThis.fetch,
      cacheSize,
    })
  }

  it('answers a verified token from the cache, synchronously', async () => {
    const v = verifier()
    const token = fake.login('usr-1').sessionToken
    expect(v.known(token, Date.now())).toBeUndefined()
    expect(await v.inspect(token, Date.now())).toMatchObject({ status: 'valid' })
    expect(v.known(token, Date.now())?.session.claims.sub).toBe('usr-1')
    expect(v.cacheStats()).toMatchObject({ hits: 1, misses: 1, size: 1 })
  })

  it('with verification off, decodes an unseen token synchronously, and no expired one', () => {
    const v = verifier(100, false)
    const token = fake.mintSessionToken('usr-1')
    expect(v.known(token, Date.now())?.session.userId).toBe('usr-1')
    expect(v.known(fake.mintSessionToken('usr-2', { expiresInSeconds: -5 }), Date.now())).toBe(
      undefined,
    )
    expect(v.known('not.a.jwt!', Date.now())).toBeUndefined()
    expect(v.known(token, Date.now())?.session.token).toBe(token)
    expect(v.cacheStats()).toMatchObject({ hits: 1, misses: 3, size: 1 })
  })

  it('never answers a token that shares a cached token’s signature but not its payload', async () => {
    const v = verifier()
    const token = fake.login('usr-1').sessionToken
    await v.inspect(token, Date.now())
    const [header, , signature] = token.split('.')
    const payload = Buffer.from(
      JSON.stringify({
        iss: fake.url,
        sub: 'usr-admin',
        exp: Math.floor(Date.now() / 1000) + 3600,
      }),
    ).toString('base64url')
    const forged = `${header}.${payload}.${signature}`
    expect(v.known(forged, Date.now())).toBeUndefined()
    expect(await v.inspect(forged, Date.now())).toMatchObject({
      status: 'rejected',
      reason: 'signature',
    })
    expect(v.known(token, Date.now())?.session.claims.sub).toBe('usr-1')
  })

  it('forgets a token at its expiry', async () => {
    const v = verifier()
    const token = fake.mintSessionToken('usr-1', { expiresInSeconds: 60 })
    await v.inspect(token, Date.now())
    expect(v.known(token, Date.now() + 61_000)).toBeUndefined()
  })

  it('keeps a cached token, not the Cookie header it was read from', async () => {
    const v = verifier()
    const count = 100
    const tokens = Array.from({ length: count }, (_, i) => fake.mintSessionToken(`usr-${i}`))
    const before = heapUsedMb()
    for (const token of tokens) {
      // Read from a 16 KB header, a token is a slice of it, as the cookie reader returns it.
      expect(await v.inspect(sliceOfLarge(token), Date.now())).toMatchObject({ status: 'valid' })
    }
    const grownMb = heapUsedMb() - before
    // 100 headers of 16 KB would be 1.6 MB; 100 verified tokens with their claims are far less.
    expect(v.cacheStats().size).toBe(count)
    expect(grownMb).toBeLessThan(0.8)
  })

  describe('past the bound of tokens kept whole', () => {
    /** A verifier that keeps one token whole, and `token` verified before two others pushed it out. */
    async function evicted(token: string) {
      const v = verifier(1)
      for (const t of [token, fake.login('usr-2').sessionToken, fake.login('usr-3').sessionToken]) {
        expect(await v.inspect(t, Date.now())).toMatchObject({ status: 'valid' })
      }
      expect(v.cacheStats().size).toBe(1)
      return v
    }

    it('still answers a verified token synchronously, with its subject and every claim', async () => {
      const token = fake.mintSessionToken('usr-1', { claims: { email: 'ada@example.com' } })
      const v = await evicted(token)
      const session = v.known(sliceOfLarge(token), Date.now())?.session
      expect(session).toMatchObject({ userId: 'usr-1', token, refreshed: false })
      expect(session?.claims).toMatchObject({ sub: 'usr-1', email: 'ada@example.com' })
      expect(session?.token).toBe(token)
    })

    it('gives the session a token kept whole has: its keys in order, its values, JSON and spread, frozen', async () => {
      const token = fake.mintSessionToken('usr-1', { claims: { email: 'ada@example.com' } })
      const whole = (await verifier().inspect(token, Date.now())) as {
        token: { session: CorbadoSession }
      }
      const session = (await evicted(token)).known(token, Date.now())?.session
      expect(session).toBeDefined()
      expect(Object.isFrozen(session)).toBe(true)
      expect(Object.keys(session!)).toEqual(Object.keys(whole.token.session))
      expect({ ...session }).toEqual({ ...whole.token.session })
      expect(JSON.stringify(session)).toBe(JSON.stringify(whole.token.session))
      expect(session?.claims).toBe(session?.claims)
      expect(Object.isFrozen(session?.claims)).toBe(true)
    })

    it('with verification off, answers a token decoded before with every claim', () => {
      const v = verifier(1, false)
      const token = fake.mintSessionToken('usr-1', { claims: { email: 'ada@example.com' } })
      for (const t of [token, fake.mintSessionToken('usr-2'), fake.mintSessionToken('usr-3')]) {
        expect(v.known(sliceOfLarge(t), Date.now())).toBeDefined()
      }
      const session = v.known(sliceOfLarge(token), Date.now())?.session
      expect(session).toMatchObject({ userId: 'usr-1', token, refreshed: false })
      expect(session?.claims).toMatchObject({ sub: 'usr-1', email: 'ada@example.com' })
      expect(v.known(fake.mintSessionToken('usr-4', { expiresInSeconds: -5 }), Date.now())).toBe(
        undefined,
      )
    })

    it('never answers a token that reuses its signature with another payload', async () => {
      const token = fake.login('usr-1').sessionToken
      const v = await evicted(token)
      const [header, payload, signature] = token.split('.') as [string, string, string]
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as object
      const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'usr-admin' })).toString(
        'base64url',
      )
      // The same length too: only the content differs.
      const sameLength = forgedPayload.slice(0, payload.length).padEnd(payload.length, 'A')
      for (const forged of [
        `${header}.${forgedPayload}.${signature}`,
        `${header}.${sameLength}.${signature}`,
        `${header}.${payload.slice(0, -1)}${payload.endsWith('A') ? 'B' : 'A'}.${signature}`,
      ]) {
        expect(v.known(forged, Date.now())).toBeUndefined()
        expect(await v.inspect(forged, Date.now())).toMatchObject({ status: 'rejected' })
      }
      expect(v.known(token, Date.now())?.session.userId).toBe('usr-1')
    })

    it('forgets a token at its expiry', async () => {
      const token = fake.mintSessionToken('usr-1', { expiresInSeconds: 60 })
      const v = await evicted(token)
      expect(v.known(token, Date.now() + 61_000)).toBeUndefined()
      expect(v.known(token, Date.now())?.session.userId).toBe('usr-1')
    })
  })
})
