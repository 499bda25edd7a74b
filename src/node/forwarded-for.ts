/**
 * Whether a `node:http` framework's request carries an `X-Forwarded-For` its app does not trust:
 * what the Express and Koa adapters tell the core, so it can warn once (see `core/forwarded-for`).
 *
 * @module
 */
import { hasForwardedFor } from '../core/forwarded-for.js'

/**
 * Whether `raw` (an Express request, a Koa context, a `node:http` request) carries
 * `X-Forwarded-For` that its framework does not trust, so the client key is the proxy's address.
 */
export function untrustedForwardedFor(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null) return false
  const { headers, app } = raw as { headers?: unknown; app?: unknown }
  if (!hasForwardedFor(headers)) return false
  // An Express app is a function, a Koa app an object.
  if ((typeof app === 'object' || typeof app === 'function') && app !== null) {
    const { get, proxy } = app as { get?: unknown; proxy?: unknown }
    // Express: the setting as the app set it; `false` is its default.
    if (typeof get === 'function') {
      const setting: unknown = (get as (name: string) => unknown).call(app, 'trust proxy')
      return setting === false || setting === undefined
    }
    // Koa: `app.proxy`, `false` by default.
    if (typeof proxy === 'boolean') return !proxy
  }
  return true
}
