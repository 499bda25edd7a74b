/**
 * Keys derived from a refresh-token. A refresh-token is a credential: it is never used as a key,
 * logged or stored; its SHA-256 hash is.
 *
 * @module
 */
import type { RefreshKey } from './coordinator.js'

/**
 * The SHA-256 digest of `text`'s UTF-8 bytes, base64url without padding (RFC 4648 §5), as
 * `Buffer#toString('base64url')` writes it: at once where the runtime can, else as a promise.
 */
export type Sha256 = (text: string) => string | Promise<string>

const encoder = new TextEncoder()

/**
 * {@link Sha256} through WebCrypto, which every runtime has (Node, Bun, Deno, workerd). Node runs
 * each digest on its thread pool, about 35 µs of CPU a call: its adapters pass `node:crypto`'s.
 */
export const webCryptoSha256: Sha256 = async (text) =>
  base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text))))

/**
 * The {@link RefreshKey} of `refreshToken`: its `id` is the base64url SHA-256 digest, the same
 * whichever `sha256` computes it, so that instances on different runtimes or versions coordinate.
 */
export async function refreshKeyOf(
  refreshToken: string,
  sha256: Sha256 = webCryptoSha256,
): Promise<RefreshKey> {
  return { id: await sha256(refreshToken), refreshToken }
}

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
