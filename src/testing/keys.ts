/**
 * RS256 signing keys of the fake and compact-JWS minting.
 *
 * Signing uses `node:crypto` directly: jose's `SignJWT` is async, but `FakeCorbado.login()` and
 * `mintSessionToken()` are synchronous.
 *
 * @module
 */
import { KeyObject, sign, verify } from 'node:crypto'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { randomDigits } from './ids.js'

/** A published JWKS entry, the shape Corbado serves. */
export interface PublicJwk {
  alg: 'RS256'
  kty: 'RSA'
  use: 'sig'
  n: string
  e: string
  kid: string
}

interface SigningKey {
  kid: string
  privateKey: KeyObject
  publicKey: KeyObject
  jwk: PublicJwk
}

/** Which key signs a token. */
export type Signer = 'project' | 'unknown-key' | 'none'

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

async function createKey(usedKids: ReadonlySet<string>): Promise<SigningKey> {
  const pair = await generateKeyPair('RS256', { extractable: true })
  const exported: JWK = await exportJWK(pair.publicKey)
  if (exported.n === undefined || exported.e === undefined) {
    throw new Error('exported RSA JWK lacks n or e')
  }
  let kid = `pki-${randomDigits(19)}`
  while (usedKids.has(kid)) kid = `pki-${randomDigits(19)}`
  return {
    kid,
    privateKey: KeyObject.from(pair.privateKey),
    publicKey: KeyObject.from(pair.publicKey),
    jwk: { alg: 'RS256', kty: 'RSA', use: 'sig', n: exported.n, e: exported.e, kid },
  }
}

let unpublishedKey: Promise<SigningKey> | undefined

// RSA key generation takes 100-300 ms; sharing the never-published key halves each start.
function sharedUnpublishedKey(): Promise<SigningKey> {
  unpublishedKey ??= createKey(new Set()).catch((error: unknown) => {
    unpublishedKey = undefined
    throw error
  })
  return unpublishedKey
}

/** The published keys (current and rotated-out ones) plus one never-published key. */
export class KeyRing {
  private readonly published: SigningKey[]
  private readonly unpublished: SigningKey

  private constructor(first: SigningKey, unpublished: SigningKey) {
    this.published = [first]
    this.unpublished = unpublished
  }

  /** Generate the first signing key; the unknown key is shared by all fakes in the process. */
  static async create(): Promise<KeyRing> {
    const unpublished = await sharedUnpublishedKey()
    return new KeyRing(await createKey(new Set([unpublished.kid])), unpublished)
  }

  /** Add a new current key; older keys stay published. */
  async rotate(): Promise<void> {
    const kids = new Set([...this.published.map((k) => k.kid), this.unpublished.kid])
    this.published.push(await createKey(kids))
  }

  /** The JWKS body: every published key, oldest first. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: this.published.map((k) => k.jwk) }
  }

  /** Sign `payload` as a compact JWT. */
  sign(payload: Record<string, unknown>, signer: Signer = 'project'): string {
    if (signer === 'none') return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`
    const key = signer === 'project' ? this.current() : this.unpublished
    const input = `${encode({ alg: 'RS256', kid: key.kid, typ: 'JWT' })}.${encode(payload)}`
    const signature = sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')
    return `${input}.${signature}`
  }

  /**
   * Verify a token signed by a published key and return its payload, or `undefined` when it is
   * malformed, badly signed, not yet valid or expired.
   */
  verify(token: string, nowSeconds: number): Record<string, unknown> | undefined {
    const [header, payload, signature, ...rest] = token.split('.')
    if (header === undefined || payload === undefined || signature === undefined) return undefined
    if (rest.length > 0) return undefined
    const parsedHeader = parseJson(header)
    const key = this.published.find((k) => k.kid === parsedHeader?.kid)
    if (key === undefined || parsedHeader?.alg !== 'RS256') return undefined
    const input = Buffer.from(`${header}.${payload}`)
    if (!verify('sha256', input, key.publicKey, Buffer.from(signature, 'base64url'))) {
      return undefined
    }
    const claims = parseJson(payload)
    if (typeof claims?.exp !== 'number' || claims.exp <= nowSeconds) return undefined
    if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds) return undefined
    return claims
  }

  private current(): SigningKey {
    const key = this.published.at(-1)
    if (key === undefined) throw new Error('no signing key')
    return key
  }
}

/** Flip bits in the signature bytes (editing base64url text could change only padding bits). */
export function corruptSignature(token: string): string {
  const dot = token.lastIndexOf('.')
  const bytes = Buffer.from(token.slice(dot + 1), 'base64url')
  bytes[0] = (bytes[0] ?? 0) ^ 0xff
  return `${token.slice(0, dot + 1)}${bytes.toString('base64url')}`
}

function parseJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
