import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { refreshKeyOf, webCryptoSha256 } from '../../src/core/refresh-key.js'
import { nodeSha256 } from '../../src/node/sha256.js'

// Instances on different runtimes and versions share Redis keys: the id must not depend on which
// hash computed it. A lone surrogate is hashed as U+FFFD by both.
const TOKENS = ['', 'a', 'rt-ÄÖÜ-\u{1F511}', 'rt-\uD800-lone', 'x'.repeat(8192)]

describe('refreshKeyOf', () => {
  it.each(TOKENS)(
    'is the base64url SHA-256 of the token, as node:crypto writes it, through WebCrypto (%#)',
    async (token) => {
      expect(await refreshKeyOf(token)).toEqual({
        id: createHash('sha256').update(token).digest('base64url'),
        refreshToken: token,
      })
    },
  )

  it.each(TOKENS)(
    'is the same with the Node adapters’ hash, computed at once (%#)',
    async (token) => {
      const id = nodeSha256(token)
      expect(typeof id).toBe('string')
      expect(await refreshKeyOf(token, nodeSha256)).toEqual(
        await refreshKeyOf(token, webCryptoSha256),
      )
    },
  )
})
