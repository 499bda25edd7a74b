/**
 * Keys derived from a refresh-token. A refresh-token is a credential: it is never used as a key,
 * logged or stored; its SHA-256 hash is.
 *
 * @module
 */
import type { RefreshKey } from './coordinator.js'

const encoder = new TextEncoder()

/**
 * The {@link RefreshKey} of `refreshToken`: its `id` is the base64url SHA-256 digest, computed
 * with WebCrypto so the core runs on every runtime (Node, Bun, Deno, workerd).
 */
export async function refreshKeyOf(refreshToken: string): Promise<RefreshKey> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(refreshToken))
  return { id: base64url(new Uint8Array(digest)), refreshToken }
}

/** RFC 4648 §5 base64url without padding, as `Buffer#toString('base64url')` writes it. */
function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
