/**
 * The least any keep-alive must do on the hot path, for the bench to set the package against.
 *
 * @module
 */
const COOKIE = 'cbo_session_token='
const KEPT_MS = 3_600_000

/** A floor lookup: whether `cookieHeader` holds the kept token, unexpired. */
export type FloorLookup = (cookieHeader: string | undefined) => boolean

/**
 * Find the session cookie with one `indexOf`, do one `Map` lookup, compare the token whole with a
 * kept copy (its own string, not a slice of a header, as a cache keeps it) and check its expiry.
 * It verifies nothing: the first token of each length it sees is the one it keeps, for an hour.
 */
export function createFloorLookup(): FloorLookup {
  const kept = new Map<number, { readonly token: string; readonly expiresAtMs: number }>()
  return (cookieHeader) => {
    const header = cookieHeader ?? ''
    const at = header.indexOf(COOKIE)
    if (at === -1) return false
    let end = header.indexOf(';', at)
    if (end === -1) end = header.length
    const token = header.slice(at + COOKIE.length, end)
    const hit = kept.get(token.length)
    if (hit === undefined) {
      kept.set(token.length, {
        token: JSON.parse(JSON.stringify(token)) as string,
        expiresAtMs: Date.now() + KEPT_MS,
      })
      return true
    }
    return hit.token === token && hit.expiresAtMs > Date.now()
  }
}
