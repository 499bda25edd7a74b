/**
 * Sealing of shared refresh results: what the coordinator stores in Redis is encrypted with
 * AES-256-GCM under a key derived (HKDF-SHA256) from the refresh-token itself, so a reader of
 * Redis without the refresh-token learns nothing, and cannot forge a result either.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import type { RefreshKey, SharedRefreshResult } from '../core/coordinator.js'
import { REFRESH_FAILURE_REASONS } from '../core/errors.js'
import type { RefreshFailureReason } from '../core/errors.js'

/** Encrypts and decrypts the results of one refresh-token. */
export interface Sealer {
  /** `result` as an opaque string; a fresh random IV each time. */
  seal(result: SharedRefreshResult): string
  /** The result sealed in `value`, or `undefined` if it does not decrypt or is malformed. */
  open(value: string): SharedRefreshResult | undefined
}

const VERSION = 'v1'
const SALT = 'corbado-keepalive/redis-coordinator'
const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * The {@link Sealer} of `key` under `keyPrefix`. The key and the GCM additional data are bound to
 * the prefix and the key id, so a value copied to another key or prefix does not open.
 */
export function sealerOf(key: RefreshKey, keyPrefix: string): Sealer {
  const context = `${VERSION}\0${keyPrefix}\0${key.id}`
  const secret = Buffer.from(hkdfSync('sha256', key.refreshToken, SALT, context, 32))
  const aad = Buffer.from(context)
  return {
    seal(result) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', secret, iv, { authTagLength: TAG_BYTES })
      cipher.setAAD(aad)
      const body = Buffer.concat([cipher.update(JSON.stringify(result), 'utf8'), cipher.final()])
      return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`
    },
    open(value) {
      if (!value.startsWith(`${VERSION}.`)) return undefined
      const raw = Buffer.from(value.slice(VERSION.length + 1), 'base64url')
      if (raw.length < IV_BYTES + TAG_BYTES) return undefined
      try {
        const decipher = createDecipheriv('aes-256-gcm', secret, raw.subarray(0, IV_BYTES), {
          authTagLength: TAG_BYTES,
        })
        decipher.setAAD(aad)
        decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES))
        const plain = Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
          decipher.final(),
        ])
        return parseResult(JSON.parse(plain.toString('utf8')))
      } catch {
        return undefined
      }
    },
  }
}

function parseResult(input: unknown): SharedRefreshResult | undefined {
  if (typeof input !== 'object' || input === null) return undefined
  const value = input as Record<string, unknown>
  if (value.kind === 'refreshed' && typeof value.sessionToken === 'string') {
    return typeof value.expiresAtMs === 'number'
      ? { kind: 'refreshed', sessionToken: value.sessionToken, expiresAtMs: value.expiresAtMs }
      : { kind: 'refreshed', sessionToken: value.sessionToken }
  }
  if (value.kind === 'ended' && typeof value.status === 'number') {
    return { kind: 'ended', status: value.status }
  }
  if (value.kind === 'failed' && isFailureReason(value.reason)) {
    return { kind: 'failed', reason: value.reason }
  }
  return undefined
}

function isFailureReason(value: unknown): value is RefreshFailureReason {
  return REFRESH_FAILURE_REASONS.includes(value as RefreshFailureReason)
}
