/**
 * The session downstream sees for a verified token used as it is: built from its claims, or, for
 * a token known only by fingerprint, with its claims decoded when first read.
 *
 * @module
 */
import { decodeJwt } from 'jose'
import type { JWTPayload } from 'jose'
import type { CorbadoClaims, CorbadoSession } from './types.js'

/** The session of `token`, whose verified claims are at hand. */
export function sessionWithClaims(token: string, claims: CorbadoClaims): CorbadoSession {
  return Object.freeze({
    userId: claims.sub,
    claims,
    token,
    expiresAt: new Date(claims.exp * 1000),
    refreshed: false,
  })
}

/**
 * The session of `token`, which equals a token verified before, expiring at `expiresAtMs`: its
 * `userId` and `claims` are decoded when first read. Most requests never read them, and decoding
 * a token costs twice what the rest of a cache miss does. They are own, enumerable accessors, so
 * the session has the keys of {@link sessionWithClaims}'s, and spreads and serialises to JSON alike.
 */
export function sessionDecodedOnRead(token: string, expiresAtMs: number): CorbadoSession {
  // Two `defineProperty` calls cost half of one `defineProperties`; the keys keep their order.
  const session = {} as { -readonly [K in keyof CorbadoSession]: CorbadoSession[K] }
  Object.defineProperty(session, 'userId', USER_ID)
  Object.defineProperty(session, 'claims', CLAIMS)
  session.token = token
  session.expiresAt = new Date(expiresAtMs)
  session.refreshed = false
  return Object.freeze(session)
}

/** The claims of each session of {@link sessionDecodedOnRead} that were read. */
const decoded = new WeakMap<object, CorbadoClaims>()

/*
 * The accessors, shared by every such session: functions made per session would cost four times
 * as much to make and to collect.
 */
const USER_ID: PropertyDescriptor = {
  enumerable: true,
  get(this: CorbadoSession): string {
    return this.claims.sub
  },
}
const CLAIMS: PropertyDescriptor = {
  enumerable: true,
  get(this: CorbadoSession): CorbadoClaims {
    let claims = decoded.get(this)
    if (claims === undefined) {
      // A token equal to one that decoded decodes alike. Only one that merely shares its
      // fingerprint may not (below 5 · 10⁻¹⁶ per attempt, see TokenFingerprints): it then names
      // no user.
      claims =
        decodedClaims(this.token) ??
        Object.freeze({ sub: '', exp: this.expiresAt.getTime() / 1000, iss: '' })
      decoded.set(this, claims)
    }
    return claims
  },
}

/**
 * The claims `token` decodes to, unverified: trusted only for a token equal to a verified one,
 * which decodes as that one did.
 */
export function decodedClaims(token: string): CorbadoClaims | undefined {
  try {
    return toClaims(decodeJwt(token))
  } catch {
    return undefined
  }
}

/** A session's claims from a decoded payload; `undefined` without a string `sub` and a finite `exp`. */
export function toClaims(payload: JWTPayload): CorbadoClaims | undefined {
  const { sub, exp, iss } = payload
  if (typeof sub !== 'string' || sub === '' || typeof exp !== 'number' || !Number.isFinite(exp)) {
    return undefined
  }
  return Object.freeze({ ...payload, sub, exp, iss: typeof iss === 'string' ? iss : '' })
}
