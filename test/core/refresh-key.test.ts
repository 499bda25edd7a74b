import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { refreshKeyOf } from '../../src/core/refresh-key.js'

describe('refreshKeyOf', () => {
  // Instances on different versions share Redis keys: the id must not change with the hashing API.
  it.each(['', 'a', 'rt-ÄÖÜ-\u{1F511}', 'x'.repeat(8192)])(
    'is the base64url SHA-256 of the token, as node:crypto writes it (%#)',
    async (token) => {
      const key = await refreshKeyOf(token)
      expect(key).toEqual({
        id: createHash('sha256').update(token).digest('base64url'),
        refreshToken: token,
      })
    },
  )
})
