import { describe, expect, it } from 'vitest'
import type { SharedRefreshResult } from '../../src/index.js'
import { refreshKeyOf } from '../../src/core/refresh-key.js'
import { sealerOf } from '../../src/redis/seal.js'

const refreshToken = 'rt-0123456789abcdefghijklmnopqrstuvwxyz'
const key = await refreshKeyOf(refreshToken)
const anotherUsersKey = await refreshKeyOf('rt-another-users-token-0123456789')
const sessionToken = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c3ItMSJ9.c2lnbmF0dXJl'
const refreshed: SharedRefreshResult = { kind: 'refreshed', sessionToken }

describe('sealing of shared results', () => {
  it.each<SharedRefreshResult>([
    refreshed,
    { kind: 'ended', status: 401 },
    { kind: 'failed', reason: 'rate-limited' },
  ])('opens what it sealed: $kind', (result) => {
    const sealer = sealerOf(key, 'p:')
    expect(sealer.open(sealer.seal(result))).toEqual(result)
  })

  it('uses a fresh IV each time and shows nothing of the tokens', () => {
    const sealer = sealerOf(key, 'p:')
    const a = sealer.seal(refreshed)
    const b = sealer.seal(refreshed)
    expect(a).not.toBe(b)
    for (const secret of [sessionToken, refreshToken, ...sessionToken.split('.')]) {
      for (const form of [secret, Buffer.from(secret).toString('base64')]) {
        expect(a).not.toContain(form)
      }
    }
    expect(Buffer.from(a.slice(3), 'base64url').toString('latin1')).not.toContain('usr-1')
  })

  it('does not open without the refresh-token, under another key id or another prefix', () => {
    const sealed = sealerOf(key, 'p:').seal(refreshed)
    expect(sealerOf({ id: key.id, refreshToken: 'another' }, 'p:').open(sealed)).toBeUndefined()
    expect(sealerOf({ id: 'other-id', refreshToken }, 'p:').open(sealed)).toBeUndefined()
    expect(sealerOf(key, 'q:').open(sealed)).toBeUndefined()
  })

  it('treats tampered, truncated and foreign values as absent', () => {
    const sealer = sealerOf(key, 'p:')
    const sealed = sealer.seal(refreshed)
    const body = Buffer.from(sealed.slice(3), 'base64url')
    body[20] = (body[20] ?? 0) ^ 1
    for (const value of [
      `v1.${body.toString('base64url')}`,
      sealed.slice(0, 20),
      sealed.slice(0, -2),
      'v2' + sealed.slice(2),
      '',
      'v1.',
      JSON.stringify(refreshed),
      // oversized: a megabyte of base64url after the version
      `v1.${'A'.repeat(1024 * 1024)}`,
      // swapped: a value sealed for another refresh-token under this key's name
      sealerOf(anotherUsersKey, 'p:').seal(refreshed),
    ]) {
      expect(sealer.open(value)).toBeUndefined()
    }
  })
})
