import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenVerifier } from '../../src/core/token-verifier.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { heapUsedMb, sliceOfLarge } from '../helpers/heap.js'

describe('token verifier cache', () => {
  let fake: FakeCorbado

  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await fake.close()
  })

  function verifier() {
    return createTokenVerifier({
      verify: true,
      jwksUrl: `${fake.url}/.well-known/jwks`,
      issuers: [fake.url],
      projectId: fake.projectId,
      timeoutMs: 2000,
      fetch: globalThis.fetch,
      cacheSize: 100,
    })
  }

  it('answers a verified token from the cache, synchronously', async () => {
    const v = verifier()
    const token = fake.login('usr-1').sessionToken
    expect(v.cached(token, Date.now())).toBeUndefined()
    expect(await v.inspect(token, Date.now())).toMatchObject({ status: 'valid' })
    expect(v.cached(token, Date.now())?.claims.sub).toBe('usr-1')
    expect(v.cacheStats()).toMatchObject({ hits: 1, misses: 1, size: 1 })
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
    expect(v.cached(forged, Date.now())).toBeUndefined()
    expect(await v.inspect(forged, Date.now())).toMatchObject({
      status: 'rejected',
      reason: 'signature',
    })
    expect(v.cached(token, Date.now())?.claims.sub).toBe('usr-1')
  })

  it('forgets a token at its expiry', async () => {
    const v = verifier()
    const token = fake.mintSessionToken('usr-1', { expiresInSeconds: 60 })
    await v.inspect(token, Date.now())
    expect(v.cached(token, Date.now() + 61_000)).toBeUndefined()
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
})
