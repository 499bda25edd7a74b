/**
 * Reading the session in server components, route handlers and server actions.
 *
 * @module
 */
import type { KeepAliveOptions, ResolvedOptions } from '../core/options.js'
import { resolveOptions } from '../core/options.js'
import type { CorbadoSession } from '../core/types.js'
import { loadNextHeaders } from './next-modules.js'
import { verifiedSessionsFor } from './verified-sessions.js'

const resolved = new WeakMap<object, ResolvedOptions<unknown>>()

/** `options` validated once per options object. */
export function resolvedOptionsOf(options: KeepAliveOptions<never>): ResolvedOptions<unknown> {
  let found = resolved.get(options)
  if (found === undefined) {
    found = resolveOptions(options as KeepAliveOptions)
    resolved.set(options, found)
  }
  return found
}

/**
 * The verified Corbado session of the request being rendered, `undefined` when anonymous. For
 * server components, route handlers and server actions, behind the keep-alive in `proxy.ts` (or
 * `middleware.ts`): it reads the session cookie the proxy already refreshed, through
 * `cookies()` of `next/headers`, and never refreshes itself. A token the proxy verified in this
 * process is not verified again; any other is verified (signature and issuer, unless `verify:
 * false`) once and remembered until it expires. A forged, malformed or expired token reads as
 * anonymous.
 *
 * @param options - the same options as the proxy's `corbadoKeepAlive`: `projectId`,
 * `frontendApiUrl`, `verify` and the cookie names are what matter here.
 * @throws {InvalidOptionError} when an option is missing, invalid or unknown.
 */
export async function getCorbadoSession(
  options: KeepAliveOptions<never>,
): Promise<CorbadoSession | undefined> {
  const o = resolvedOptionsOf(options)
  const { cookies } = await loadNextHeaders()
  const store = await cookies()
  let token: string | undefined
  for (const name of o.sessionCookieNames) {
    token = store.get(name)?.value
    if (token !== undefined && token !== '') break
  }
  if (token === undefined || token === '') return undefined
  const shared = verifiedSessionsFor(o)
  const now = Date.now()
  const handedOn = shared.handedOn.get(token, now)
  if (handedOn !== undefined) return handedOn
  const inspection = await shared.verifier.inspect(token, now)
  return inspection.status === 'valid' ? inspection.token.session : undefined
}
