/**
 * SHA-256 through `node:crypto`, for the adapters that run on Node (and on Bun and Deno, which
 * provide it): synchronous, a few microseconds a digest, where WebCrypto's takes a trip through
 * the thread pool that costs several times as much CPU.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import type { Sha256 } from '../core/refresh-key.js'

/** The base64url SHA-256 digest of `text`, at once. */
export const nodeSha256: Sha256 = (text) => createHash('sha256').update(text).digest('base64url')
