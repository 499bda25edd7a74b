/**
 * Random identifiers in Corbado's formats.
 *
 * @module
 */
import { randomBytes, randomInt } from 'node:crypto'

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** `length` random decimal digits, first one non-zero. */
export function randomDigits(length: number): string {
  let out = String(randomInt(1, 10))
  while (out.length < length) out += String(randomInt(0, 10))
  return out
}

/** `length` random ASCII letters and digits (the `jti` form). */
export function randomAlnum(length: number): string {
  let out = ''
  while (out.length < length) out += ALNUM.charAt(randomInt(0, ALNUM.length))
  return out
}

/** An opaque refresh-token: 32 random bytes, base64url (cookie-safe). */
export function randomRefreshToken(): string {
  return randomBytes(32).toString('base64url')
}
