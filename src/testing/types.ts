/**
 * Public types of the fake Corbado Frontend API (`corbado-keepalive/testing`).
 *
 * @module
 */

/** Options of {@link startFakeCorbado}. */
export interface FakeCorbadoOptions {
  /**
   * The Corbado project ID, `pro-<digits>`; checked against `X-Corbado-ProjectID` on `/v2/*`.
   * @defaultValue `'pro-1234567890'`
   */
  projectId?: string
  /**
   * Lifetime of minted session-tokens, in seconds (`exp - iat`). Also advertised as
   * `lifetimeSeconds` by `/v2/session-config`.
   * @defaultValue `300`
   */
  sessionLifetimeSeconds?: number
  /**
   * TCP port to listen on; `0` picks a free ephemeral port.
   * @defaultValue `0`
   */
  port?: number
  /**
   * Host (interface) to bind.
   * @defaultValue `'127.0.0.1'`
   */
  host?: string
  /**
   * `iss` claim of minted session-tokens.
   * @defaultValue the fake's own {@link FakeCorbado.url}, so `@corbado/node-sdk` configured with
   * `FrontendAPI` = that URL accepts the tokens.
   */
  issuer?: string
  /**
   * `Domain` attribute of the refresh-token cookie set by `POST /__fake/login` and cleared by
   * `POST /v2/me/logout`; also the `domain` advertised by `/v2/session-config`.
   * @defaultValue none: host-only cookies and `domain: ''`
   */
  cookieDomain?: string
  /**
   * Origins allowed to call the fake from a browser (Corbado's "authorized origins"), e.g.
   * `['https://app.example.com']`. An authorized `Origin` is echoed exactly, with
   * `Access-Control-Allow-Credentials: true`; another one gets no CORS headers, and `403` with
   * error type `invalid_origin`, for its preflights and its calls alike (the test-only `/__fake/`
   * routes excepted).
   * @defaultValue every origin, as a Corbado development project
   */
  authorizedOrigins?: readonly string[]
}

/** Options of {@link FakeCorbado.login}. */
export interface FakeLoginOptions {
  /** Full name; becomes the `name` claim (omitted when empty). Updates a reused user. */
  name?: string
  /** Verified email; becomes the `email` and `orig` claims. Updates a reused user. */
  email?: string
  /**
   * Lifetime of session-tokens minted for this session, in seconds.
   * @defaultValue {@link FakeCorbadoOptions.sessionLifetimeSeconds}
   */
  sessionLifetimeSeconds?: number
}

/** Options of {@link FakeCorbado.mintSessionToken}. */
export interface FakeMintOptions {
  /**
   * Seconds from now until `exp`; negative values mint an already expired token.
   * @defaultValue {@link FakeCorbadoOptions.sessionLifetimeSeconds}
   */
  expiresInSeconds?: number
  /** Claims merged over the standard ones; a claim set to `undefined` is removed. */
  claims?: Record<string, unknown>
  /**
   * Which key signs the token: `'project'` (a key in the JWKS), `'unknown-key'` (an RS256 key
   * that is never published) or `'none'` (`alg: none`, empty signature).
   * @defaultValue `'project'`
   */
  signer?: 'project' | 'unknown-key' | 'none'
}

/** The tokens a login yields. */
export interface FakeLoginResult {
  /** A session-token (RS256 JWT). */
  sessionToken: string
  /** The opaque refresh-token of the new session. */
  refreshToken: string
}

/**
 * A route a fault or a latency applies to:
 * `POST /v2/me/refresh`, `GET /.well-known/jwks`, `POST /v2/me/logout`, `GET /v2/me`,
 * `GET /v2/session-config`, `GET /v2/process-config`.
 */
export type FakeRoute = 'refresh' | 'jwks' | 'logout' | 'me' | 'session-config' | 'process-config'

/** One request received by the fake. */
export interface FakeCall {
  /** HTTP method, e.g. `'POST'`. */
  method: string
  /** The request target as received: path plus query string. */
  path: string
  /**
   * The request headers, lower-cased, **raw**: `authorization` and `cookie` hold the real
   * refresh-tokens. This is a test tool; do not log these in shared places.
   */
  headers: Record<string, string | string[] | undefined>
  /** Arrival time, milliseconds since the epoch. */
  at: number
}

/**
 * A fault the fake injects instead of its normal answer.
 * Faults bypass the project-ID and session checks; token faults (`unknown-key` … `expired-token`)
 * answer with the refresh body shape `{shortSession, sessionToken}` on any route.
 */
export type FakeFault = (
  | {
      /** Answer with `status` and a Corbado error envelope (JSON). */
      type: 'status'
      /** HTTP status, an integer in 200–599. */
      status: number
      /** Sent as the `Retry-After` header, in seconds. */
      retryAfterSeconds?: number
    }
  /** Never answer (until {@link FakeCorbado.close}). */
  | { type: 'hang' }
  /** Reset the TCP connection without answering. */
  | { type: 'reset' }
  /** `200` with `Content-Type: text/html` and body `<html>oops</html>`. */
  | { type: 'non-json' }
  /** `200` with `Content-Type: application/json` and an empty body. */
  | { type: 'empty-body' }
  /** `200 {}`: JSON without `sessionToken`/`shortSession`. */
  | { type: 'missing-token' }
  /** `200` with a token for the right user, signed by a key that is not in the JWKS. */
  | { type: 'unknown-key' }
  /** `200` with a token for the right user whose signature bytes are corrupted. */
  | { type: 'bad-signature' }
  /** `200` with a validly signed token for a different user, `sub: 'usr-999999999'`. */
  | { type: 'other-user' }
  /** `200` with a validly signed token for the right user whose `exp` is in the past. */
  | { type: 'expired-token' }
) & {
  /**
   * Which route the fault hits.
   * @defaultValue `'refresh'`
   */
  route?: FakeRoute
  /**
   * Apply to the next `times` matching requests only, then clear.
   * @defaultValue until cleared with `setFault(undefined)`
   */
  times?: number
}

/** A running fake Corbado Frontend API. Create it with {@link startFakeCorbado}. */
export interface FakeCorbado {
  /** Base URL, `http://<host>:<port>`, no trailing slash. Use it as `FrontendAPI`. */
  readonly url: string
  /** The project ID the fake expects in `X-Corbado-ProjectID`. */
  readonly projectId: string
  /** The `iss` claim of minted session-tokens. */
  readonly issuer: string
  /**
   * Create (or reuse) user `userId` and start a new active session.
   * `userId` should look like `usr-<digits>`; any non-empty string of at most 256 characters is
   * accepted (`name` and `email` at most 256 too).
   *
   * The fake keeps the 20,000 users who logged in last and the newest 20,000 active sessions.
   * An older session's refresh-token answers 401 as a revoked one does; tokens minted for an older
   * user carry no `name` or `email`.
   *
   * @throws `TypeError` for an empty `userId`, `RangeError` for a field over 256 characters or an
   * invalid `sessionLifetimeSeconds`.
   */
  login(userId: string, opts?: FakeLoginOptions): FakeLoginResult
  /** Mint a session-token directly, e.g. with overridden claims or a foreign signer. */
  mintSessionToken(userId: string, opts?: FakeMintOptions): string
  /**
   * Revoke a session: later refresh, logout and `/v2/me` with it answer 401. Unknown tokens are
   * ignored. A revoked (or logged-out) session no longer counts towards the 20,000 active ones.
   */
  revoke(refreshToken: string): void
  /** Inject a fault, replacing the current one; `undefined` clears it. */
  setFault(fault: FakeFault | undefined): void
  /**
   * Delay every answer of `route` by `ms` milliseconds (applied before faults); `0` removes it.
   * @param route - defaults to `'refresh'`
   */
  setLatency(ms: number, route?: FakeRoute): void
  /**
   * Every request received, in arrival order, all routes (a snapshot). Keeps the newest 10,000;
   * older ones are dropped. Headers are raw, see {@link FakeCall.headers}.
   */
  readonly calls: readonly FakeCall[]
  /** Number of `POST /v2/me/refresh` requests received, faulted ones included. */
  readonly refreshCount: number
  /** Forget recorded calls and reset {@link FakeCorbado.refreshCount}. */
  resetCalls(): void
  /** Switch to a new signing key (new `kid`); old keys stay in the JWKS. */
  rotateSigningKey(): Promise<void>
  /** Stop the server and destroy open connections, hanging ones included. Idempotent. */
  close(): Promise<void>
}
