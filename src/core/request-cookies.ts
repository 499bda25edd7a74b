/**
 * Reading and rewriting the request's `Cookie` header. Only the session and refresh cookies are
 * looked at; every other cookie is kept byte for byte, because re-encoding cookies that belong to
 * other parts of the app can break them.
 *
 * @module
 */

/** The Corbado cookies found in one Cookie header. */
export interface CorbadoCookies {
  /** The first session-token cookie, primary name before legacy name. */
  readonly sessionToken: string | undefined
  /** The first refresh-token cookie, primary name before legacy name. */
  readonly refreshToken: string | undefined
  /** How many session cookies (all names) the header carries; more than one is normalised. */
  readonly sessionCookieCount: number
}

/** The cookie a rewrite puts in place of the session cookies, or `undefined` to drop them. */
export interface CookieReplacement {
  readonly name: string
  readonly value: string
}

/**
 * Find the session and refresh cookies in `header`, scanning it once without parsing the other
 * cookies. Names are matched exactly (RFC 6265 names are case-sensitive). Never throws.
 *
 * @param sessionNames - session cookie names, most preferred first.
 * @param refreshNames - refresh cookie names, most preferred first.
 */
export function readCorbadoCookies(
  header: string | undefined,
  sessionNames: readonly string[],
  refreshNames: readonly string[],
): CorbadoCookies {
  if (header === undefined || header === '') return NO_COOKIES
  let session: string | undefined
  let sessionRank = Infinity
  let refresh: string | undefined
  let refreshRank = Infinity
  let sessionCookieCount = 0

  let start = 0
  let eq = -1
  while (start < header.length) {
    let end = header.indexOf(';', start)
    if (end === -1) end = header.length
    // Remembering the next '=' keeps a header of many '='-less pairs linear, not quadratic.
    if (eq < start) eq = header.indexOf('=', start)
    if (eq === -1) break
    if (eq < end) {
      let nameStart = start
      let nameEnd = eq
      while (isSpace(header.charCodeAt(nameStart)) && nameStart < nameEnd) nameStart++
      while (isSpace(header.charCodeAt(nameEnd - 1)) && nameEnd > nameStart) nameEnd--
      const sessionIndex = nameIndex(sessionNames, header, nameStart, nameEnd)
      if (sessionIndex !== -1) {
        sessionCookieCount++
        if (sessionIndex < sessionRank) {
          sessionRank = sessionIndex
          session = cookieValue(header, eq + 1, end)
        }
      } else {
        const refreshIndex = nameIndex(refreshNames, header, nameStart, nameEnd)
        if (refreshIndex !== -1 && refreshIndex < refreshRank) {
          refreshRank = refreshIndex
          refresh = cookieValue(header, eq + 1, end)
        }
      }
    }
    start = end + 1
  }
  return {
    sessionToken: session === '' ? undefined : session,
    refreshToken: refresh === '' ? undefined : refresh,
    sessionCookieCount,
  }
}

/**
 * The raw value of the one cookie in `header` named in `names`, or `undefined` when there is none,
 * more than one, or the header needs the full scan of {@link readCorbadoCookies} to be read alike.
 * The hot path's shortcut: it finds each name with `indexOf` and reads a value only where the name
 * stands as a cookie's (after the header's start or a `;`, and spaces or tabs, and before `=`),
 * with no string made but the value's slice. The value is not trimmed, unquoted or decoded, so it
 * matches {@link readCorbadoCookies}'s `sessionToken` exactly only when it holds none of `" %`,
 * spaces or tabs: a caller must only trust it when it equals a string known to be free of them (a
 * verified token). Never throws.
 *
 * @param names - cookie names, each a non-empty RFC 6265 token, as the options validate them.
 */
export function soleCookieValue(
  header: string | undefined,
  names: readonly string[],
): string | undefined {
  if (header === undefined) return undefined
  // V8 searches for a name natively, skipping from one candidate first character to the next.
  // Comparing the names in place at each cookie instead (`startsWith`, one character at a time)
  // costs half as much again over a typical header: 3.2k instructions against 2.2k (callgrind).
  let found: string | undefined
  for (let i = 0; i < names.length; i++) {
    const name = names[i] ?? ''
    if (name === '') return undefined
    let at = header.indexOf(name)
    while (at !== -1) {
      let before = at - 1
      while (before >= 0 && isSpace(header.charCodeAt(before))) before--
      let next = at + name.length
      if (before === -1 || header.charCodeAt(before) === 0x3b) {
        while (isSpace(header.charCodeAt(next))) next++
        if (header.charCodeAt(next) === 0x3d) {
          // A second cookie of these names: which one counts is for the full scan to decide.
          if (found !== undefined) return undefined
          let end = header.indexOf(';', next + 1)
          if (end === -1) end = header.length
          found = header.slice(next + 1, end)
          // A value holds no `;`: no cookie name starts inside it.
          next = end
        }
      }
      at = header.indexOf(name, next)
    }
  }
  return found
}

// Comparing in place: the hot path allocates no string for cookies it does not want.
function nameIndex(names: readonly string[], header: string, start: number, end: number): number {
  for (let i = 0; i < names.length; i++) {
    const name = names[i] ?? ''
    if (name.length === end - start && header.startsWith(name, start)) return i
  }
  return -1
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09
}

/**
 * Strip spaces and tabs only, as the `cookie` package does: `String.prototype.trim` would also
 * strip e.g. U+00A0, changing the bytes of other cookies and reading names unlike downstream.
 */
export function trimSpace(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && isSpace(text.charCodeAt(start))) start++
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--
  return start === 0 && end === text.length ? text : text.slice(start, end)
}

const NO_COOKIES: CorbadoCookies = Object.freeze({
  sessionToken: undefined,
  refreshToken: undefined,
  sessionCookieCount: 0,
})

/**
 * Rewrite `header`: drop every cookie named in `remove`, and put `replacement` where the first
 * dropped cookie stood (or at the end). Other cookies are kept byte for byte; separators are
 * normalised to `"; "`. Returns `''` when no cookie remains.
 */
export function rewriteCookieHeader(
  header: string | undefined,
  remove: readonly string[],
  replacement: CookieReplacement | undefined,
): string {
  const kept: string[] = []
  let insertAt = -1
  for (const part of (header ?? '').split(';')) {
    const pair = trimSpace(part)
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = trimSpace(eq === -1 ? pair : pair.slice(0, eq))
    if (remove.includes(name)) {
      if (insertAt === -1) insertAt = kept.length
      continue
    }
    kept.push(pair)
  }
  if (replacement !== undefined) {
    const pair = `${replacement.name}=${replacement.value}`
    if (insertAt === -1) kept.push(pair)
    else kept.splice(insertAt, 0, pair)
  }
  return kept.join('; ')
}

/**
 * Apply an outcome's `requestCookies` (a value sets that cookie, `undefined` removes it) to a
 * Cookie header built elsewhere, e.g. by the app after it added cookies of its own: its other
 * cookies are kept byte for byte, as {@link rewriteCookieHeader} keeps them.
 */
export function applyCookieChanges(
  header: string,
  changes: Readonly<Record<string, string | undefined>>,
): string {
  const names = Object.keys(changes)
  if (names.length === 0) return header
  let replacement: CookieReplacement | undefined
  for (const [name, value] of Object.entries(changes)) {
    if (value !== undefined) replacement = { name, value }
  }
  return rewriteCookieHeader(header, names, replacement)
}

/** The names of every cookie in `header`. */
export function cookieNamesIn(header: string | undefined): Set<string> {
  const names = new Set<string>()
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    names.add(trimSpace(eq === -1 ? part : part.slice(0, eq)))
  }
  return names
}

function cookieValue(header: string, start: number, end: number): string {
  let value = trimSpace(header.slice(start, end))
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
  if (!value.includes('%')) return value
  try {
    return decodeURIComponent(value)
  } catch {
    // Broken percent-encoding: keep the raw value, as the `cookie` package does.
    return value
  }
}
