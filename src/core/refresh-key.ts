/**
 * Keys derived from a refresh-token. A refresh-token is a credential: it is never used as a key,
 * logged or stored; its SHA-256 hash is.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import type { RefreshKey } from './coordinator.js'

/** The {@link RefreshKey} of `refreshToken`. */
export function refreshKeyOf(refreshToken: string): RefreshKey {
  return {
    id: createHash('sha256').update(refreshToken).digest('base64url'),
    refreshToken,
  }
}
