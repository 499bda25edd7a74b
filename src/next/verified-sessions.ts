/**
 * The verified sessions the proxy handed on, and the verifier of `getCorbadoSession`, shared by
 * every copy of this module in one process: Next bundles the proxy and the pages separately, so
 * module-level state would not be shared, but `globalThis` is (on the Node.js runtime; the Edge
 * runtime's sandbox has a `globalThis` of its own, and its sessions are verified again once).
 *
 * @module
 */
import { BoundedCache } from '../core/bounded-cache.js'
import type { ResolvedOptions } from '../core/options.js'
import { createTokenVerifier } from '../core/token-verifier.js'
import type { TokenVerifier } from '../core/token-verifier.js'
import type { CorbadoSession } from '../core/types.js'

/** What one set of verification settings shares. */
export interface VerifiedSessions {
  /** Sessions the proxy verified (or refreshed) in this process, by token. */
  readonly handedOn: BoundedCache<string, CorbadoSession>
  /** Verifies a token the proxy did not hand on here, and remembers it. */
  readonly verifier: TokenVerifier
}

/** Most sessions remembered per settings; a token is a few hundred bytes plus its claims. */
const HANDED_ON_SIZE = 10_000
/** Most distinct settings remembered: an app has one or two. */
const SETTINGS_SIZE = 16
const REGISTRY = Symbol.for('corbado-keepalive.next.verified-sessions')

type Registry = BoundedCache<string, VerifiedSessions>

/** The shared sessions for `options`' project, Frontend API, issuers and `verify`. */
export function verifiedSessionsFor(options: ResolvedOptions<unknown>): VerifiedSessions {
  const global = globalThis as { [REGISTRY]?: Registry }
  const registry = (global[REGISTRY] ??= new BoundedCache<string, VerifiedSessions>(SETTINGS_SIZE))
  const key = JSON.stringify([options.projectId, options.jwksUrl, options.issuers, options.verify])
  const now = Date.now()
  const found = registry.get(key, now)
  if (found !== undefined) return found
  const created: VerifiedSessions = {
    handedOn: new BoundedCache(HANDED_ON_SIZE),
    verifier: createTokenVerifier({
      verify: options.verify,
      jwksUrl: options.jwksUrl,
      issuers: options.issuers,
      projectId: options.projectId,
      timeoutMs: options.refreshTimeoutMs,
      fetch: options.fetch,
    }),
  }
  registry.set(key, created, Number.POSITIVE_INFINITY, now)
  return created
}
