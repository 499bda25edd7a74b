/**
 * Token inspection: verify a session-token's signature (JWKS) and issuer with jose, or only
 * decode it when verification is off, and remember verified tokens until they expire so the hot
 * path is one map lookup.
 *
 * @module
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwksCache,
  jwtVerify,
} from 'jose'
import type {
  ExportedJWKSCache,
  JSONWebKeySet,
  JWKSCacheInput,
  JWTPayload,
  JWTVerifyGetKey,
} from 'jose'
import { BoundedCache } from './bounded-cache.js'
import { keptOutcome } from './outcomes.js'
import { TokenFingerprints } from './token-fingerprints.js'
import type { CorbadoSession, KeepAliveOutcome } from './types.js'
import {
  decodedClaims,
  sessionDecodedOnRead,
  sessionWithClaims,
  toClaims,
} from './verified-session.js'

/** Why a token is not trusted. */
export type TokenRejection =
  | 'malformed'
  | 'signature'
  | 'claims'
  | 'expired'
  /** The signing keys could not be fetched: the token may be fine, but it is not trusted yet. */
  | 'keys-unavailable'

/** A token whose signature and issuer checked out (or that was decoded, with `verify: false`). */
export interface VerifiedToken {
  /**
   * `exp` in milliseconds since the epoch; rounded down to a second for a token found by its
   * fingerprint, as the fingerprint table keeps it.
   */
  readonly expiresAtMs: number
  /** The session downstream sees when this token is used as it is. */
  readonly session: CorbadoSession
  /** The outcome of a request that uses this token as it is, shared by all of them. */
  readonly kept: KeepAliveOutcome
}

/** What {@link TokenVerifier.inspect} found. */
export type TokenInspection =
  | { readonly status: 'valid'; readonly token: VerifiedToken }
  | { readonly status: 'rejected'; readonly reason: TokenRejection; readonly subject?: string }

/** What a token claims, unverified; see {@link TokenVerifier.preview}. */
export interface TokenPreview {
  /** `exp` in milliseconds since the epoch; `undefined` when it lacks a session's claims. */
  readonly expiresAtMs: number | undefined
  /** `sub`; `undefined` when it lacks a session's claims (a string `sub`, a finite `exp`). */
  readonly subject: string | undefined
  /**
   * Whether {@link TokenVerifier.inspect} will check it with keys at hand, so that the check
   * cannot end in `keys-unavailable`: verification is off, the token was verified before, or
   * the key set held now is within its cache lifetime and has the token's `kid`.
   */
  readonly checkableAtOnce: boolean
}

/** Verifies session-tokens and remembers the verified ones. */
export interface TokenVerifier {
  /**
   * The token, verified and unexpired at `now`, if that can be told without waiting: it is cached,
   * or verification is off and it decodes. Synchronous. A miss of the caches is counted as one
   * also when the token then decodes.
   */
  known(token: string, now: number): VerifiedToken | undefined
  /**
   * Verify `token` (using the cache first). Never rejects. A token the Frontend API `issued` (a
   * refresh's answer) that names a key not held is worth a download of the keys at once, at most
   * once a second; one a client `presented` waits for the usual 30 s between such downloads.
   */
  inspect(token: string, now: number, origin?: TokenOrigin): Promise<TokenInspection>
  /**
   * What `token` claims before anything is verified: for deciding what may start before it is,
   * never for trusting it.
   */
  preview(token: string): TokenPreview
  /** Hits and misses of the cache so far, and its size. */
  cacheStats(): { hits: number; misses: number; size: number }
}

/** Where a token comes from: a client's request, or the Frontend API's answer to a refresh. */
export type TokenOrigin = 'presented' | 'issued'

/** Settings of {@link createTokenVerifier}. */
export interface TokenVerifierSettings {
  readonly verify: boolean
  readonly jwksUrl: string
  readonly issuers: readonly string[]
  readonly projectId: string
  /** Upper bound of one JWKS download, milliseconds. */
  readonly timeoutMs: number
  readonly fetch: typeof globalThis.fetch
  /** Most verified tokens kept whole, ready to use. Default {@link VERIFIED_TOKEN_CACHE_SIZE}. */
  readonly cacheSize?: number
}

/** Verified tokens kept whole, with their claims and session: a few hundred bytes each. */
const VERIFIED_TOKEN_CACHE_SIZE = 10_000
/**
 * Verified tokens remembered by fingerprint behind those kept whole (a token found there is
 * neither verified nor decoded again): 2^21, two million sessions in 32 MB outside the JavaScript
 * heap, allocated as they come.
 */
const FINGERPRINT_CACHE_SIZE = 2 ** 21

/** Corbado session-tokens are a few hundred bytes; anything far larger is not one. */
const MAX_TOKEN_LENGTH = 8192
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/
/** jose refetches the JWKS for an unknown `kid` at most this often (ms): forged `kid`s cost little. */
const JWKS_COOLDOWN_MS = 30_000
const JWKS_MAX_AGE_MS = 10 * 60_000
const ENCODER = new TextEncoder()
const DECODER = new TextDecoder()
const COPY_BUFFER = new Uint8Array(MAX_TOKEN_LENGTH)
/** Signature characters mixed into a cache key: 48 random bits, folded into 30. */
const SIGNATURE_KEY_CHARACTERS = 8
/**
 * After a failed JWKS download no other is started for this long (ms): during an outage of the
 * Frontend API each process asks for the keys about once a second, not once per request.
 */
const JWKS_RETRY_MS = 1000

const UNDECODABLE: TokenPreview = Object.freeze({
  expiresAtMs: undefined,
  subject: undefined,
  checkableAtOnce: false,
})

/** Create a {@link TokenVerifier}. */
export function createTokenVerifier(settings: TokenVerifierSettings): TokenVerifier {
  const cache = new BoundedCache<string | number, VerifiedToken>(
    settings.cacheSize ?? VERIFIED_TOKEN_CACHE_SIZE,
  )
  // Also without verification: a fingerprint saves decoding the token, most of a miss's cost.
  const fingerprints = new TokenFingerprints(FINGERPRINT_CACHE_SIZE)
  let hits = 0
  let misses = 0
  // jose keeps here the key set it verifies with, replaced with each download it applies.
  const heldKeySet: JWKSCacheInput = {}
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
    timeoutDuration: settings.timeoutMs,
    cooldownDuration: JWKS_COOLDOWN_MS,
    cacheMaxAge: JWKS_MAX_AGE_MS,
    headers: { 'X-Corbado-ProjectID': settings.projectId },
    [customFetch]: settings.fetch,
    [jwksCache]: heldKeySet,
  })
  const issuers = [...settings.issuers]
  const keyFor = withStaleKeys(keys)
  let heldKeyIds: { readonly of: JSONWebKeySet; readonly ids: ReadonlySet<string> } | undefined
  let forced: { readonly startedAt: number; readonly done: Promise<void> } | undefined

  /** Whether the key set jose holds now has a key `kid`: a token naming it needs no download. */
  function holdsKey(kid: unknown): boolean {
    const held = (heldKeySet as Partial<ExportedJWKSCache>).jwks
    if (typeof kid !== 'string' || held === undefined) return false
    if (heldKeyIds?.of !== held) {
      heldKeyIds = {
        of: held,
        ids: new Set(held.keys.flatMap((key) => (typeof key.kid === 'string' ? [key.kid] : []))),
      }
    }
    return heldKeyIds.ids.has(kid)
  }

  async function verify(token: string, now: number, origin: TokenOrigin): Promise<TokenInspection> {
    if (!settings.verify) return decode(token, now)
    if (!looksLikeJwt(token)) return { status: 'rejected', reason: 'malformed' }
    let payload: JWTPayload
    try {
      payload = await verifiedPayload(token, now)
    } catch (error) {
      // Corbado signs with a key it rotated in since the last download: jose would not download
      // the keys again for up to 30 s, and every refresh until then would fail.
      if (!(origin === 'issued' && error instanceof errors.JWKSNoMatchingKey))
        return rejection(error)
      try {
        await forcedDownload()
        payload = await verifiedPayload(token, now)
      } catch (retryError) {
        return rejection(retryError)
      }
    }
    return accept(token, payload, now)
  }

  async function verifiedPayload(token: string, now: number): Promise<JWTPayload> {
    const verified = await jwtVerify(token, keyFor, {
      algorithms: ['RS256'],
      issuer: issuers,
      requiredClaims: ['sub', 'exp'],
      currentDate: new Date(now),
    })
    return verified.payload
  }

  /**
   * A download of the keys for issued tokens: at most one starts a second, and every token that
   * needs one meanwhile waits for it. Concurrent refreshes right after a rotation all need it.
   */
  function forcedDownload(): Promise<void> {
    const now = Date.now()
    if (forced === undefined || now - forced.startedAt >= JWKS_RETRY_MS) {
      forced = { startedAt: now, done: keys.reload() }
    }
    return forced.done
  }

  /** With `verify: false`: decode a token, synchronously. */
  function decode(token: string, now: number): TokenInspection {
    if (!looksLikeJwt(token)) return { status: 'rejected', reason: 'malformed' }
    let payload: JWTPayload
    try {
      payload = decodeJwt(token)
    } catch (error) {
      return rejection(error)
    }
    return accept(token, payload, now)
  }

  function accept(token: string, payload: JWTPayload, now: number): TokenInspection {
    const claims = toClaims(payload)
    if (claims === undefined) return { status: 'rejected', reason: 'claims' }
    const expiresAtMs = claims.exp * 1000
    if (expiresAtMs <= now) return { status: 'rejected', reason: 'expired', subject: claims.sub }
    fingerprints.remember(token, expiresAtMs, now)
    // A token read from a Cookie header is a slice of it: the cache keeps the token alone.
    const session = sessionWithClaims(ownCopy(token), claims)
    return { status: 'valid', token: cacheWhole(session, expiresAtMs, now) }
  }

  /** Keep a verified token whole, with the session and outcome every request presenting it shares. */
  function cacheWhole(session: CorbadoSession, expiresAtMs: number, now: number): VerifiedToken {
    const verified: VerifiedToken = Object.freeze({
      expiresAtMs,
      session,
      kept: keptOutcome(session),
    })
    cache.set(cacheKey(session.token), verified, expiresAtMs, now)
    return verified
  }

  /**
   * The cache key of a token: a small integer mixed from the last characters of its signature,
   * random, and hashed by the map without reading a string or cutting one. The entry's full token
   * is compared before it is used, so two tokens that share a key (with `verify: false`, any two
   * that share a signature) only cost a cache miss.
   */
  function cacheKey(token: string): string | number {
    if (token.length <= SIGNATURE_KEY_CHARACTERS) return token
    let key = 0
    for (let i = token.length - SIGNATURE_KEY_CHARACTERS; i < token.length; i++) {
      key = Math.imul(key ^ token.charCodeAt(i), 0x01000193)
    }
    return key >>> 2
  }

  function heldWhole(token: string, now: number): VerifiedToken | undefined {
    const hit = cache.get(cacheKey(token), now)
    return hit?.session.token === token ? hit : undefined
  }

  function rememberedByFingerprint(token: string, now: number): VerifiedToken | undefined {
    const expiresAtMs = fingerprints.expiryOf(token, now)
    if (expiresAtMs === undefined) return undefined
    // Equal to a token verified before: its claims are known, and decoded only if they are read.
    return cacheWhole(sessionDecodedOnRead(ownCopy(token), expiresAtMs), expiresAtMs, now)
  }

  /** {@link TokenVerifier.known} past the hot path, apart so that the hot path stays small. */
  function knownOtherwise(token: string, now: number): VerifiedToken | undefined {
    misses++
    const remembered = rememberedByFingerprint(token, now)
    if (remembered !== undefined || settings.verify) return remembered
    const decoded = decode(token, now)
    return decoded.status === 'valid' ? decoded.token : undefined
  }

  return {
    known(token, now) {
      const hit = heldWhole(token, now)
      if (hit === undefined) return knownOtherwise(token, now)
      hits++
      return hit
    },
    async inspect(token, now, origin = 'presented') {
      const hit = heldWhole(token, now) ?? rememberedByFingerprint(token, now)
      if (hit !== undefined) return { status: 'valid', token: hit }
      return verify(token, now, origin)
    },
    preview(token) {
      // A token held whole was verified: what it claims is known, and it is checked at once.
      const held = heldWhole(token, Date.now())
      if (held !== undefined) {
        return {
          expiresAtMs: held.expiresAtMs,
          subject: held.session.userId,
          checkableAtOnce: true,
        }
      }
      const claims = looksLikeJwt(token) ? decodedClaims(token) : undefined
      if (claims === undefined) return UNDECODABLE
      return {
        expiresAtMs: claims.exp * 1000,
        subject: claims.sub,
        checkableAtOnce: !settings.verify || (keys.fresh && holdsKey(keyIdOf(token))),
      }
    },
    cacheStats() {
      return { hits, misses, size: cache.size }
    },
  }
}

/**
 * Wrap jose's remote key set so that a failed download (an outage, a hang) neither logs everyone
 * out nor is retried by every request: the keys downloaded last are used while no new download
 * succeeds (jose alone fails every token once its cache is older than `cacheMaxAge`), and a new
 * download is tried at most once per {@link JWKS_RETRY_MS}.
 */
function withStaleKeys(remote: ReturnType<typeof createRemoteJWKSet>): JWTVerifyGetKey {
  let failedAt = -Infinity
  let staleSource: JSONWebKeySet | undefined
  let stale: JWTVerifyGetKey | undefined
  const staleKeys = (): JWTVerifyGetKey | undefined => {
    const jwks = remote.jwks()
    if (jwks === undefined) return undefined
    if (jwks !== staleSource) {
      staleSource = jwks
      stale = createLocalJWKSet(jwks)
    }
    return stale
  }
  return async (header, token) => {
    if (Date.now() - failedAt < JWKS_RETRY_MS) {
      const fallback = staleKeys()
      if (fallback === undefined) throw new errors.JWKSTimeout('the JWKS was unavailable just now')
      return fallback(header, token)
    }
    try {
      return await remote(header, token)
    } catch (error) {
      if (isKeySelectionError(error)) throw error
      failedAt = Date.now()
      const fallback = staleKeys()
      if (fallback === undefined) throw error
      return fallback(header, token)
    }
  }
}

/** Errors of choosing a key from keys at hand, as opposed to failing to download them. */
function isKeySelectionError(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSENotSupported
  )
}

/**
 * A copy of `text` that holds only its own characters: a string cut from a larger one (a token
 * from its Cookie header) keeps the larger one alive, up to 16 KB per cache entry. A token is
 * ASCII, copied through bytes in a fraction of a microsecond; anything else takes the slow way.
 */
function ownCopy(text: string): string {
  const { read, written } = ENCODER.encodeInto(text, COPY_BUFFER)
  if (read === text.length && written === read) {
    return DECODER.decode(COPY_BUFFER.subarray(0, written))
  }
  return JSON.parse(JSON.stringify(text)) as string
}

function looksLikeJwt(token: string): boolean {
  return token.length <= MAX_TOKEN_LENGTH && JWT_SHAPE.test(token)
}

function rejection(error: unknown): TokenInspection {
  if (error instanceof errors.JWTExpired) {
    const subject = error.payload.sub
    return { status: 'rejected', reason: 'expired', ...(subject === undefined ? {} : { subject }) }
  }
  if (error instanceof errors.JWTClaimValidationFailed)
    return { status: 'rejected', reason: 'claims' }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSEAlgNotAllowed
  ) {
    return { status: 'rejected', reason: 'signature' }
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return { status: 'rejected', reason: 'malformed' }
  }
  // JWKSTimeout, JWKSInvalid, a non-200 JWKS answer, or a network error.
  return { status: 'rejected', reason: 'keys-unavailable' }
}

/** The `kid` a token's header names, if it decodes. */
function keyIdOf(token: string): unknown {
  try {
    return decodeProtectedHeader(token).kid
  } catch {
    return undefined
  }
}
