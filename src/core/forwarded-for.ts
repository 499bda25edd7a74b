/**
 * `X-Forwarded-For` and the refresh rate limit. The header is honoured only where the app says a
 * proxy it trusts sets it (Express's `trust proxy`, Koa's `app.proxy`, the CLI's `--trust-proxy`);
 * otherwise every client behind that proxy counts as one. Like express-rate-limit, we say so
 * once when the header arrives while trust is off, since that usually means a proxy nobody
 * declared. The warning carries no address.
 *
 * @module
 */

/** The warning's message; the log line's context holds no value from the request. */
export const UNTRUSTED_FORWARDED_FOR_WARNING =
  'corbado-keepalive: a request carries X-Forwarded-For but trust proxy is off, so ' +
  'refreshRateLimit counts every client behind that proxy as one client; if a proxy you ' +
  'trust sets the header, turn trust proxy on (Express: app.set("trust proxy", 1); Koa: ' +
  'app.proxy = true; CLI: --trust-proxy)'

/** Whether `headers` carry an `X-Forwarded-For` (Node's lower-cased header object). */
export function hasForwardedFor(headers: unknown): boolean {
  if (typeof headers !== 'object' || headers === null) return false
  const value = (headers as Record<string, unknown>)['x-forwarded-for']
  return value !== undefined && value !== ''
}

/** A function that logs {@link UNTRUSTED_FORWARDED_FOR_WARNING} the first time it is called. */
export function warnOnce(
  warn: (context: Record<string, unknown>, message: string) => void,
): () => void {
  let warned = false
  return () => {
    if (warned) return
    warned = true
    warn({ header: 'x-forwarded-for' }, UNTRUSTED_FORWARDED_FOR_WARNING)
  }
}
