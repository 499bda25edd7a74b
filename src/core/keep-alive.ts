/**
 * The keep-alive engine: for one request, decide per the behaviour table whether the session is
 * fresh, must be refreshed, has ended, or is served fail-open, and describe the result as a plain
 * {@link KeepAliveOutcome} that an adapter applies.
 *
 * @module
 */
import { CircuitBreaker } from './circuit-breaker.js'
import { ConcurrencyLimit } from './concurrency-limit.js'
import type { CircuitState } from './circuit-breaker.js'
import type {
  CoordinatedRefreshResult,
  RefreshCoordinator,
  SharedRefreshResult,
} from './coordinator.js'
import { startDeadline, TIMED_OUT } from './deadline.js'
import type { Deadline } from './deadline.js'
import { HookFailedError, RefreshFailedError } from './errors.js'
import type { RefreshFailureReason } from './errors.js'
import { MemoryCoordinator } from './memory-coordinator.js'
import { resolveOptions } from './options.js'
import type { KeepAliveOptions } from './options.js'
import { createRefreshClient } from './refresh-client.js'
import { refreshKeyOf } from './refresh-key.js'
import type { Sha256 } from './refresh-key.js'
import { createOutcomes } from './outcomes.js'
import { RefreshLimiter } from './refresh-limiter.js'
import type { RefreshPermit, RefreshVerdict } from './refresh-limiter.js'
import { warnOnce } from './forwarded-for.js'
import { createReporter } from './reporter.js'
import { createSessionCookieConfig } from './session-cookie-config.js'
import { readCorbadoCookies, soleCookieValue } from './request-cookies.js'
import type { CorbadoCookies } from './request-cookies.js'
import { createStats } from './stats.js'
import type { KeepAliveStats } from './stats.js'
import { withRequest } from './event-request.js'
import { createTelemetry } from './telemetry/telemetry.js'
import type { AnswerObserver } from './telemetry/telemetry.js'
import { lazy } from './lazy.js'
import type { Lazy } from './lazy.js'
import { createTokenVerifier } from './token-verifier.js'
import type { TokenPreview, TokenRejection, VerifiedToken } from './token-verifier.js'
import type { KeepAliveOutcome, KeepAliveRequest } from './types.js'

/** The framework-free keep-alive. Adapters call {@link KeepAlive.handle} once per request. */
export interface KeepAlive<Req = unknown> {
  /**
   * Decide what to do for one request. Synchronous when the session-token is fresh and already
   * verified (the hot path), a promise otherwise. Rejects only on a bug.
   */
  handle(request: KeepAliveRequest<Req>): KeepAliveOutcome | Promise<KeepAliveOutcome>
  /** A snapshot of counters since creation. */
  stats(): KeepAliveStats
}

/** The most rate-limit buckets and proven refresh-token hashes remembered, each. */
const RATE_LIMIT_ENTRIES = 10_000

/** What checking the request's session-token found. */
interface Presented {
  /** The token, verified and unexpired. */
  readonly current?: VerifiedToken | undefined
  /** The `sub` of a token whose signature checked out, expired or not. */
  readonly subject?: string | undefined
  /** Set when the signing keys could not be had: a refreshed token could not be verified either. */
  readonly keysUnavailable?: 'timeout' | 'unverifiable-token' | undefined
}

/** A request without a session-token. */
const NOTHING_PRESENTED: Lazy<Presented> = lazy(() => Promise.resolve({}))
/** What a refresh's coordination resolves to when the coordinator threw. */
const COORDINATOR_FAILED: unique symbol = Symbol('coordinator failed')

/**
 * What an adapter can tell the core about its framework's requests, beyond
 * {@link KeepAliveRequest}. Asked only on the refresh path, never on the hot path.
 */
export interface KeepAliveAdapter<Req> {
  /**
   * Whether `raw` carries an `X-Forwarded-For` that the app does not trust (Express's
   * `trust proxy`, Koa's `app.proxy`, the CLI's `--trust-proxy` are off), so its `clientAddress`
   * is a proxy's. The keep-alive then warns once. Default: never.
   */
  readonly untrustedForwardedFor?: (raw: Req) => boolean
  /**
   * The client's address, for a request whose {@link KeepAliveRequest.clientAddress} is
   * `undefined`: `req.ip` (Express, Koa, honouring their trust-proxy settings), `request.ip`
   * (Fastify), the socket's address. Asked only when a refresh is rate-limited, never on the hot
   * path, where reading it would cost more than the rest of the request. Default: unknown.
   */
  readonly clientAddress?: (raw: Req) => string | undefined
  /**
   * The HTTP method, for a request whose {@link KeepAliveRequest.method} is `undefined`. Asked
   * only once a refresh is due. Default: unknown, which refreshes as for `GET`.
   */
  readonly method?: (raw: Req) => string | undefined
  /**
   * How a refresh-token is hashed into the id that coordinates its refresh, once per refresh.
   * Default: WebCrypto's SHA-256, which Node runs on its thread pool; the Node adapters pass
   * `node:crypto`'s, computed at once for a fraction of the CPU.
   */
  readonly sha256?: Sha256
}

/**
 * Create a keep-alive from `options`, validated now.
 *
 * @param adapter - what the calling adapter knows of its framework; see {@link KeepAliveAdapter}.
 * @throws {InvalidOptionError} when an option is missing, invalid or unknown.
 */
export function createKeepAlive<Req = unknown>(
  options: KeepAliveOptions<Req>,
  adapter: KeepAliveAdapter<Req> = {},
): KeepAlive<Req> {
  const o = resolveOptions(options)
  const thresholdMs = o.refreshBeforeExpirySeconds * 1000
  const coordinator: RefreshCoordinator = o.coordinator ?? new MemoryCoordinator()
  const counters = createStats()
  const reporter = createReporter(o.logger, o.onError)
  const { log, hook, report } = reporter
  const cookieConfig = createSessionCookieConfig({
    url: `${o.frontendApiUrl}/v2/session-config`,
    projectId: o.projectId,
    timeoutMs: o.refreshTimeoutMs,
    fetch: o.fetch,
    configured: o.cookie,
    explicit: options.cookie,
    log: (context, message) => {
      log('warn', context, message)
    },
  })
  const outcomes = createOutcomes(o, () => cookieConfig.current())
  const stats = (): KeepAliveStats => counters.snapshot(verifier.cacheStats(), breaker.state)
  const telemetry = createTelemetry<Req>({
    ...o.telemetry,
    refreshUrl: o.refreshUrl,
    stats,
    recordDuration: (seconds) => {
      counters.upstreamDuration(seconds)
    },
  })
  const verifier = createTokenVerifier({
    verify: o.verify,
    jwksUrl: o.jwksUrl,
    issuers: o.issuers,
    projectId: o.projectId,
    timeoutMs: o.refreshTimeoutMs,
    fetch: telemetry.jwksFetch(o.fetch),
  })
  const callFrontendApi = createRefreshClient({
    refreshUrl: o.refreshUrl,
    projectId: o.projectId,
    refreshCookieName: o.refreshCookieNames[0] ?? 'cbo_refresh_token',
    timeoutMs: o.refreshTimeoutMs,
    fetch: o.fetch,
  })
  const breaker = new CircuitBreaker({
    failureThreshold: o.circuitBreaker.failureThreshold,
    cooldownMs: o.circuitBreaker.cooldownMs,
    onChange: (state: CircuitState, consecutiveFailures: number, request: unknown) => {
      if (state === 'half-open') return
      log('warn', { state, consecutiveFailures }, `corbado-keepalive: refresh circuit ${state}`)
      const event = withRequest({ state, consecutiveFailures }, request as Req)
      telemetry.circuitChanged(event)
      hook('onCircuitChange', o.onCircuitChange, event)
    },
  })
  const limiter =
    o.refreshRateLimit === undefined
      ? undefined
      : new RefreshLimiter(
          {
            ...o.refreshRateLimit,
            maxEntries: RATE_LIMIT_ENTRIES,
            maxWaitMs: o.refreshTimeoutMs,
          },
          Date.now(),
        )
  const upstreamPlaces = new ConcurrencyLimit(o.refreshConcurrency)
  const warnForwardedFor = warnOnce((context, message) => {
    log('warn', context, message)
  })

  function handle(request: KeepAliveRequest<Req>): KeepAliveOutcome | Promise<KeepAliveOutcome> {
    // The hot path: one session cookie holding a verified token far from expiry. The verifier only
    // answers for a value that is exactly a verified token, which the full scan reads alike.
    const sole = soleCookieValue(request.cookieHeader, o.sessionCookieNames)
    if (sole !== undefined) {
      const now = Date.now()
      const verified = verifier.known(sole, now)
      if (verified !== undefined && verified.expiresAtMs - now > thresholdMs) {
        return outcomes.kept(verified)
      }
    }
    const cookies = readCorbadoCookies(
      request.cookieHeader,
      o.sessionCookieNames,
      o.refreshCookieNames,
    )
    if (
      cookies.sessionToken === undefined &&
      cookies.refreshToken === undefined &&
      o.getRefreshToken === undefined
    ) {
      return cookies.sessionCookieCount > 1
        ? outcomes.keep(undefined, request.cookieHeader, cookies)
        : outcomes.anonymous
    }
    return decide(request, cookies)
  }

  async function decide(
    request: KeepAliveRequest<Req>,
    cookies: CorbadoCookies,
  ): Promise<KeepAliveOutcome> {
    const deadline = startDeadline(o.refreshTimeoutMs)
    cookieConfig.refreshIfStale(Date.now())
    try {
      const token = cookies.sessionToken
      const presented =
        token === undefined ? NOTHING_PRESENTED : lazy(() => checkPresented(token, deadline))
      const early = token === undefined ? undefined : refreshBeforeVerifying(token, cookies)
      if (early === undefined) {
        const { current } = await presented
        if (current !== undefined && current.expiresAtMs - Date.now() > thresholdMs) {
          return outcomes.keep(current, request.cookieHeader, cookies)
        }
      }
      const refreshToken = await refreshTokenOf(request, cookies, deadline)
      if (refreshToken === undefined || !mayRefresh(request)) {
        return outcomes.keep((await presented).current, request.cookieHeader, cookies)
      }
      return await refresh(request, cookies, refreshToken, presented, early, deadline)
    } finally {
      deadline.clear()
    }
  }

  /** Check the presented session-token, within the request's deadline. Never rejects. */
  async function checkPresented(token: string, deadline: Deadline): Promise<Presented> {
    const inspection = await deadline.race(verifier.inspect(token, Date.now()))
    if (inspection === TIMED_OUT) {
      log(
        'debug',
        { reason: 'keys-unavailable' },
        'corbado-keepalive: session-token not verified in time',
      )
      return { keysUnavailable: 'timeout' }
    }
    if (inspection.status === 'valid') {
      return { current: inspection.token, subject: inspection.token.session.userId }
    }
    log('debug', { reason: inspection.reason }, 'corbado-keepalive: session-token not trusted')
    return {
      // An expired token's signature was checked, so its subject can be trusted for matching.
      subject: inspection.subject,
      keysUnavailable: inspection.reason === 'keys-unavailable' ? 'unverifiable-token' : undefined,
    }
  }

  /**
   * What `token` claims, when it is refreshed whatever its check finds, so that the refresh call
   * need not wait for the check: it claims an expiry inside the refresh window (a genuine token is
   * then due, and a forged or malformed one is refreshed past too) and names a key already held
   * (else the check could end in `keys-unavailable`, and then no call is made). The RS256
   * verification then runs while the call is in flight, and its subject is still matched before
   * the refreshed token is used. `undefined` otherwise: the token is checked first.
   */
  function refreshBeforeVerifying(
    token: string,
    cookies: CorbadoCookies,
  ): TokenPreview | undefined {
    if (cookies.refreshToken === undefined && o.getRefreshToken === undefined) return undefined
    const claims = verifier.preview(token)
    if (!claims.checkableAtOnce || claims.expiresAtMs === undefined) return undefined
    return claims.expiresAtMs - Date.now() <= thresholdMs ? claims : undefined
  }

  /**
   * Refresh with `refreshToken`. With `early` (see {@link refreshBeforeVerifying}) the call starts
   * before the presented token is checked; the check starts on the next turn of the event loop,
   * after the call's first steps, so that its RSA work does not hold them up on a busy CPU, and
   * the call's outcome is used only once the check has ended.
   */
  async function refresh(
    request: KeepAliveRequest<Req>,
    cookies: CorbadoCookies,
    refreshToken: string,
    presented: Lazy<Presented>,
    early: TokenPreview | undefined,
    deadline: Deadline,
  ): Promise<KeepAliveOutcome> {
    if (early === undefined) {
      // Without keys (or with the budget spent on waiting for them) a refresh would only add load
      // on a provider that is struggling already: its token could not be trusted.
      const { keysUnavailable } = await presented
      if (keysUnavailable !== undefined) return failed(keysUnavailable, undefined, request, cookies)
    }
    const startedAt = Date.now()
    const key = await refreshKeyOf(refreshToken, adapter.sha256)
    const permit = breaker.acquire(startedAt)
    if (permit === 'rejected') {
      return failed('circuit-open', (await presented).current, request, cookies)
    }
    const calling = deadline
      .race(
        telemetry.coordinate(key.id, () =>
          // A coordinator that throws instead of rejecting is a rejection too.
          Promise.resolve().then(() =>
            coordinator.coordinate(key, () =>
              refreshUpstream(key.id, refreshToken, presented, early, request, deadline.endsAt),
            ),
          ),
        ),
      )
      .catch((error: unknown): typeof COORDINATOR_FAILED => {
        report(
          new RefreshFailedError('coordinator-error', 'the coordinator threw', { cause: error }),
        )
        return COORDINATOR_FAILED
      })
      .finally(() => {
        // The upstream call settles the breaker; a trial that made none (a reused result, the
        // deadline hit first, a broken coordinator) must not hold the half-open circuit.
        if (permit === 'trial') breaker.release()
      })
    const checkSoon =
      early === undefined
        ? undefined
        : setTimeout(() => {
            presented.start()
          }, 0)
    const raced = await calling
    clearTimeout(checkSoon)
    const { current, subject, keysUnavailable } = await presented
    // Only an early call gets here without keys: the request is answered as if it had not been
    // made, and the result is left to the requests that share it.
    if (keysUnavailable !== undefined) return failed(keysUnavailable, undefined, request, cookies)
    if (raced === COORDINATOR_FAILED) return failed('coordinator-error', current, request, cookies)
    const result: CoordinatedRefreshResult =
      raced === TIMED_OUT ? { kind: 'failed', reason: 'timeout', coalesced: true } : raced

    if (result.kind === 'ended') {
      counters.sessionEnded()
      const event = withRequest(
        // With `verify: false` the subject is only decoded: anyone could have written it.
        {
          userId: o.verify ? subject : undefined,
          status: result.status,
          coalesced: result.coalesced,
        },
        request.raw,
      )
      telemetry.sessionEnded(event)
      hook('onSessionEnded', o.onSessionEnded, event)
      await cookieAttributesKnown(deadline)
      return outcomes.ended(request.cookieHeader, cookies, refreshToken)
    }
    if (result.kind === 'failed') return failed(result.reason, current, request, cookies)

    // Every token is verified before it is trusted, also one another request or instance obtained.
    const inspection = await deadline.race(
      verifier.inspect(result.sessionToken, Date.now(), 'issued'),
    )
    if (inspection === TIMED_OUT || inspection.status !== 'valid') {
      return failed(
        inspection === TIMED_OUT ? 'timeout' : 'unverifiable-token',
        current,
        request,
        cookies,
      )
    }
    const token = inspection.token
    // Checked here, by every request that uses the result: the leader's own call, a result
    // reused in-process or one from another instance. The result is shared as it is, so the
    // refresh-token's owner still gets it; only this request, presenting someone else's session,
    // is refused.
    if (subject !== undefined && token.session.userId !== subject) {
      report(
        new RefreshFailedError(
          'subject-mismatch',
          'the refreshed session-token belongs to another user than the presented one; not used',
        ),
      )
      return failed('subject-mismatch', current, request, cookies)
    }
    counters.refreshed(result.coalesced)
    hook(
      'onRefresh',
      o.onRefresh,
      withRequest(
        {
          userId: token.session.userId,
          expiresAt: token.session.expiresAt,
          coalesced: result.coalesced,
          durationMs: Date.now() - startedAt,
        },
        request.raw,
      ),
    )
    await cookieAttributesKnown(deadline)
    return outcomes.refreshed(token, request.cookieHeader)
  }

  /**
   * Right after start-up, a cookie about to be written waits for the project's session-config,
   * already being fetched, within the refresh's own deadline: else its attributes could differ
   * from the browser SDK's, and the browser would keep two session cookies.
   */
  async function cookieAttributesKnown(deadline: Deadline): Promise<void> {
    const pending = cookieConfig.pendingFirstFetch()
    if (pending !== undefined) await deadline.race(pending)
  }

  /**
   * The upstream refresh, run by whichever request the coordinator elects. Never rejects.
   * Its outcome, not each waiting request's, feeds the circuit breaker: one upstream failure
   * counts once, and a hang counts when the call times out even if every request gave up first.
   * `answeredBy` is when the electing request's budget ends (ms since the epoch): a call still
   * waiting for its place then is not made.
   */
  async function refreshUpstream(
    keyId: string,
    refreshToken: string,
    presented: Lazy<Presented>,
    early: TokenPreview | undefined,
    request: KeepAliveRequest<Req>,
    answeredBy: number,
  ): Promise<SharedRefreshResult> {
    // With `verify: false` a subject is only decoded, so anyone could claim one.
    const verifiedUserOf = ({ subject }: Presented) => (o.verify ? subject : undefined)
    const verifiedUser = presented.finished.then(verifiedUserOf, () => undefined)
    let permit: RefreshPermit | undefined
    if (limiter !== undefined) {
      const caller = { refreshKeyId: keyId, clientKey: clientKeyOf(request) }
      if (early !== undefined) {
        permit = limiter.acquireWhileVerifying(
          caller,
          o.verify ? early.subject : undefined,
          verifiedUser,
          Date.now(),
        )
      }
      if (permit === undefined) {
        const checked = await presented
        // Only an early call's check can end so: no call is made then, as for any other.
        if (checked.keysUnavailable !== undefined) {
          return { kind: 'failed', reason: checked.keysUnavailable }
        }
        permit = await limiter.acquire(
          { ...caller, verifiedUser: verifiedUserOf(checked) },
          Date.now(),
        )
      }
      if (permit === undefined) {
        log('debug', { reason: 'throttled' }, 'corbado-keepalive: upstream refresh throttled')
        return { kind: 'failed', reason: 'throttled' }
      }
    }
    let verdict: RefreshVerdict = 'inconclusive'
    try {
      // Turned away only when the request's whole refreshTimeoutMs went by waiting for a place: it
      // has been answered already, and the provider was never asked, so the breaker is not told.
      if (!(await upstreamPlaces.acquire(answeredBy))) return { kind: 'failed', reason: 'timeout' }
      try {
        // An object, as a closure sets it: a `let` would stay narrowed to `true`.
        const verified = { inTime: true }
        const result = await telemetry.upstreamRefresh(
          request.raw,
          keyId,
          verifiedUser,
          (answered) =>
            callAndVerify(refreshToken, answered, () => {
              verified.inTime = false
            }),
        )
        // A token shared before its keys could be had proves nothing yet: the download failed as
        // a call to the provider can, and the refresh-token does not count as proven.
        if (result.kind === 'failed' || !verified.inTime) {
          breaker.recordFailure(Date.now(), request.raw)
        } else breaker.recordSuccess(request.raw)
        verdict = verified.inTime ? verdictOf(result) : 'inconclusive'
        return result
      } finally {
        upstreamPlaces.release(Date.now())
      }
    } finally {
      permit?.settle(verdict, Date.now())
    }
  }

  /**
   * Call the Frontend API and verify the token it returns. `unverified` is told when that token
   * is shared without its verification having ended in time.
   */
  async function callAndVerify(
    refreshToken: string,
    answered: AnswerObserver,
    unverified: () => void,
  ): Promise<SharedRefreshResult> {
    counters.upstreamCall()
    // A coordinator holds its lock until this settles, so the new token's verification shares the
    // call's budget: a download of rotated-in keys that hangs (up to two, one of jose's and one of
    // ours) would otherwise hold the lock past `lockTtlMs`, and another instance would refresh again.
    const budget = startDeadline(o.refreshTimeoutMs)
    try {
      return await callAndVerifyWithin(budget, refreshToken, answered, unverified)
    } finally {
      budget.clear()
    }
  }

  async function callAndVerifyWithin(
    budget: Deadline,
    refreshToken: string,
    answered: AnswerObserver,
    unverified: () => void,
  ): Promise<SharedRefreshResult> {
    const answer = await callFrontendApi(refreshToken)
    answered(answer.kind === 'token' ? 200 : answer.status)
    if (answer.kind === 'ended') return { kind: 'ended', status: answer.status }
    if (answer.kind === 'failed') {
      report(
        new RefreshFailedError(answer.reason, answer.detail, {
          cause: answer.cause,
          status: answer.status,
        }),
      )
      return { kind: 'failed', reason: answer.reason }
    }
    const checking = verifier.inspect(answer.sessionToken, Date.now(), 'issued')
    const inspection = await budget.race(checking)
    if (inspection === TIMED_OUT) {
      // Corbado accepted the refresh: its token is shared rather than lost, and every request that
      // uses it verifies it first, as it verifies any shared result. Its unverified expiry can only
      // shorten how long it is reused.
      unverified()
      log(
        'debug',
        { reason: 'keys-unavailable' },
        'corbado-keepalive: the new session-token was not verified in time; shared unverified',
      )
      // The check goes on: a token that fails it late is reported as one that failed in time;
      // keys still missing say nothing of the token, which each use verifies again.
      void checking.then((late) => {
        if (late.status === 'rejected' && late.reason !== 'keys-unavailable') {
          reportRejected(late.reason)
        }
      })
      return {
        kind: 'refreshed',
        sessionToken: answer.sessionToken,
        expiresAtMs: verifier.preview(answer.sessionToken).expiresAtMs,
      }
    }
    if (inspection.status !== 'valid') {
      reportRejected(inspection.reason)
      return { kind: 'failed', reason: 'unverifiable-token' }
    }
    return {
      kind: 'refreshed',
      sessionToken: answer.sessionToken,
      expiresAtMs: inspection.token.expiresAtMs,
    }
  }

  /** Report a token a refresh returned that failed verification, for `reason`. */
  function reportRejected(reason: TokenRejection): void {
    report(
      new RefreshFailedError(
        'unverifiable-token',
        `the new session-token was rejected (${reason})`,
      ),
    )
  }

  /** Asked only once a refresh is due; a promise is awaited within the request's deadline. */
  async function refreshTokenOf(
    request: KeepAliveRequest<Req>,
    cookies: CorbadoCookies,
    deadline: Deadline,
  ): Promise<string | undefined> {
    const getRefreshToken = o.getRefreshToken
    if (getRefreshToken !== undefined) {
      let token: unknown = reporter.guard(
        'getRefreshToken',
        () => getRefreshToken(request.raw),
        undefined,
      )
      if (isThenable(token)) {
        const settled = await deadline.race(
          Promise.resolve(token).catch((error: unknown) => {
            reporter.report(new HookFailedError('getRefreshToken', error))
            return undefined
          }),
        )
        token = settled === TIMED_OUT ? undefined : settled
      }
      if (typeof token === 'string' && token !== '') return token
    }
    return cookies.refreshToken
  }

  function clientKeyOf(request: KeepAliveRequest<Req>): string | undefined {
    const custom = o.refreshRateLimit?.clientKey
    if (custom === undefined) {
      if (adapter.untrustedForwardedFor?.(request.raw) === true) warnForwardedFor()
      return request.clientAddress ?? adapter.clientAddress?.(request.raw)
    }
    const key = reporter.guard('refreshRateLimit.clientKey', () => custom(request.raw), undefined)
    return typeof key === 'string' && key !== '' ? key : undefined
  }

  function mayRefresh(request: KeepAliveRequest<Req>): boolean {
    const shouldRefresh = o.shouldRefresh
    if (shouldRefresh === undefined) {
      const method = request.method ?? adapter.method?.(request.raw)
      return method !== 'OPTIONS' && method !== 'HEAD'
    }
    return reporter.guard('shouldRefresh', () => shouldRefresh(request.raw), false)
  }

  function failed(
    reason: RefreshFailureReason,
    current: VerifiedToken | undefined,
    request: KeepAliveRequest<Req>,
    cookies: CorbadoCookies,
  ): KeepAliveOutcome {
    counters.failure(reason)
    return outcomes.failed(reason, current, request.cookieHeader, cookies)
  }

  return { handle, stats }
}

/**
 * What a refresh result means for the rate limit: Corbado's rejection, and an answer that fails
 * verification, spend budget; a transient failure is the circuit breaker's business.
 */
function verdictOf(result: SharedRefreshResult): RefreshVerdict {
  if (result.kind === 'refreshed') return 'accepted'
  if (result.kind === 'ended') return 'rejected'
  return result.reason === 'unverifiable-token' ? 'rejected' : 'inconclusive'
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}
