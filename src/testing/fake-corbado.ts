/**
 * A local fake of the Corbado Frontend API v2 (session routes) for tests and demos.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { errorTypeFor, sendError } from './error-envelope.js'
import { handleControl, type ControlDeps } from './control.js'
import { FaultState } from './faults.js'
import { applyCors, readBody, refreshTokenOf, sendJson, sendPreflight } from './http.js'
import { corruptSignature, KeyRing } from './keys.js'
import { validateOptions, type ResolvedOptions } from './options.js'
import { createApiHandlers, type ApiRoute, type RequestContext } from './routes.js'
import { MAX_USER_FIELD_LENGTH, sessionClaims, SessionStore } from './sessions.js'
import type {
  FakeCall,
  FakeCorbado,
  FakeCorbadoOptions,
  FakeFault,
  FakeLoginOptions,
  FakeLoginResult,
  FakeMintOptions,
  FakeRoute,
} from './types.js'

const MAX_BODY_BYTES = 1024 * 1024
const MAX_CALLS = 10_000
const OTHER_USER_ID = 'usr-999999999'
/** Stands in for the user when a token fault hits a request without a known refresh-token. */
const ANONYMOUS_USER_ID = 'usr-000000000'

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

/** Corbado's answer to a call or a preflight from an origin outside `authorizedOrigins`. */
function refuseOrigin(res: ServerResponse, startedAt: number): void {
  sendError(res, 403, 'invalid_origin', 'origin is not authorized', startedAt)
}

/**
 * Start a fake Corbado Frontend API on `http://127.0.0.1:<ephemeral port>` (by default).
 * Close it with {@link FakeCorbado.close}.
 *
 * @throws (rejects) `TypeError`/`RangeError` naming the invalid option.
 */
export async function startFakeCorbado(options: FakeCorbadoOptions = {}): Promise<FakeCorbado> {
  const resolved = validateOptions(options)
  const keys = await KeyRing.create()
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host
  return new FakeCorbadoServer(server, keys, resolved, `http://${host}:${port}`)
}

class FakeCorbadoServer implements FakeCorbado {
  readonly url: string
  readonly projectId: string
  readonly issuer: string
  private readonly store = new SessionStore()
  private readonly faults = new FaultState()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly recorded: FakeCall[] = []
  private readonly api: ReadonlyMap<string, ApiRoute>
  private readonly control: ControlDeps
  private refreshes = 0
  private closing: Promise<void> | undefined

  constructor(
    private readonly server: Server,
    private readonly keys: KeyRing,
    private readonly options: ResolvedOptions,
    url: string,
  ) {
    this.url = url
    this.projectId = options.projectId
    this.issuer = options.issuer ?? url
    this.api = createApiHandlers({
      store: this.store,
      keys,
      projectId: this.projectId,
      issuer: this.issuer,
      url,
      cookieDomain: options.cookieDomain,
      lifetimeSeconds: options.sessionLifetimeSeconds,
      mint: (userId, lifetimeSeconds) =>
        this.mintSessionToken(userId, { expiresInSeconds: lifetimeSeconds }),
    })
    this.control = {
      login: (userId, opts) => this.login(userId, opts),
      revoke: (refreshToken) => {
        this.revoke(refreshToken)
      },
      cookieDomain: options.cookieDomain,
    }
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          sendError(res, 500, 'internal_error', 'fake failed', performance.now())
        } else res.destroy()
      })
    })
  }

  get calls(): readonly FakeCall[] {
    return this.recorded.slice()
  }

  get refreshCount(): number {
    return this.refreshes
  }

  login(userId: string, opts: FakeLoginOptions = {}): FakeLoginResult {
    if (typeof userId !== 'string' || userId === '') {
      throw new TypeError('login: userId must be a non-empty string')
    }
    for (const [field, value] of [
      ['userId', userId],
      ['name', opts.name],
      ['email', opts.email],
    ] as const) {
      if (typeof value === 'string' && value.length > MAX_USER_FIELD_LENGTH) {
        throw new RangeError(
          `login: ${field} must be at most ${MAX_USER_FIELD_LENGTH} characters, got ${value.length}`,
        )
      }
    }
    const lifetime = opts.sessionLifetimeSeconds ?? this.options.sessionLifetimeSeconds
    if (!Number.isSafeInteger(lifetime) || lifetime <= 0) {
      throw new RangeError(
        `login: sessionLifetimeSeconds must be a positive integer, got ${lifetime}`,
      )
    }
    const user = this.store.upsertUser(userId, opts)
    const refreshToken = this.store.start(user.id, lifetime)
    return {
      refreshToken,
      sessionToken: this.mintSessionToken(userId, { expiresInSeconds: lifetime }),
    }
  }

  mintSessionToken(userId: string, opts: FakeMintOptions = {}): string {
    const lifetime = this.options.sessionLifetimeSeconds
    const expiresIn = opts.expiresInSeconds ?? lifetime
    if (!Number.isSafeInteger(expiresIn)) {
      throw new RangeError(
        `mintSessionToken: expiresInSeconds must be an integer, got ${expiresIn}`,
      )
    }
    const now = nowSeconds()
    const exp = now + expiresIn
    // Back-date expired tokens so `iat <= exp` still holds, as on a real token that aged out.
    const iat = exp <= now ? exp - lifetime : now
    const claims = {
      ...sessionClaims(this.issuer, this.store.user(userId), iat, exp),
      ...opts.claims,
    }
    return this.keys.sign(claims, opts.signer ?? 'project')
  }

  revoke(refreshToken: string): void {
    this.store.end(refreshToken)
  }

  setFault(fault: FakeFault | undefined): void {
    this.faults.set(fault)
  }

  setLatency(ms: number, route: FakeRoute = 'refresh'): void {
    this.faults.setLatency(ms, route)
  }

  resetCalls(): void {
    this.recorded.length = 0
    this.refreshes = 0
  }

  rotateSigningKey(): Promise<void> {
    return this.keys.rotate()
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const timer of this.timers) clearTimeout(timer)
      this.timers.clear()
      // close() only waits for connections to end; destroying them ends hanging requests too.
      this.server.close(() => {
        resolve()
      })
      this.server.closeAllConnections()
    })
    return this.closing
  }

  private record(req: IncomingMessage): void {
    if (this.recorded.length >= MAX_CALLS) this.recorded.shift()
    const method = req.method ?? ''
    const path = req.url ?? ''
    this.recorded.push({ method, path, headers: { ...req.headers }, at: Date.now() })
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = performance.now()
    this.record(req)
    const pathname = new URL(req.url ?? '/', 'http://fake.invalid').pathname
    if (req.method === 'POST' && pathname === '/v2/me/refresh') this.refreshes += 1
    const authorized = applyCors(req, res, this.options.authorizedOrigins)
    const body = await readBody(req, MAX_BODY_BYTES)
    const ctx: RequestContext = { req, res, startedAt, body: body ?? Buffer.alloc(0) }
    if (req.method === 'OPTIONS') {
      if (authorized) sendPreflight(res)
      else refuseOrigin(res, startedAt)
      return
    }
    if (body === undefined) {
      sendError(res, 413, 'payload_too_large', 'request body over 1 MB', startedAt)
      return
    }
    if (pathname.startsWith('/__fake/')) {
      handleControl(ctx, pathname, this.control)
      return
    }
    if (!authorized) {
      // As Corbado answers a call from an origin the project does not list, also one that needed
      // no preflight: its effects (a refresh, a logout) never happen.
      refuseOrigin(res, startedAt)
      return
    }
    const entry = this.api.get(pathname)
    if (entry === undefined) {
      sendError(res, 404, 'not_found', `no route ${pathname}`, startedAt)
      return
    }
    if (entry.method !== req.method) {
      res.setHeader('allow', entry.method)
      sendError(res, 405, 'method_not_allowed', `use ${entry.method}`, startedAt)
      return
    }
    const latency = this.faults.latency(entry.route)
    if (latency > 0) await this.sleep(latency)
    const fault = this.faults.take(entry.route)
    if (fault === undefined) entry.run(ctx)
    else this.answerFault(fault, ctx)
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        resolve()
      }, ms)
      timer.unref()
      this.timers.add(timer)
    })
  }

  private answerFault(fault: FakeFault, { req, res, startedAt }: RequestContext): void {
    switch (fault.type) {
      case 'status': {
        const headers: Record<string, string> =
          fault.retryAfterSeconds === undefined
            ? {}
            : { 'retry-after': String(fault.retryAfterSeconds) }
        sendError(
          res,
          fault.status,
          errorTypeFor(fault.status),
          'injected fault',
          startedAt,
          headers,
        )
        return
      }
      case 'hang':
        return
      case 'reset':
        req.socket.resetAndDestroy()
        return
      case 'non-json':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        res.end('<html>oops</html>')
        return
      case 'empty-body':
        // Declared as JSON, so a client that trusts Content-Type fails while parsing.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '0' })
        res.end()
        return
      case 'missing-token':
        sendJson(res, 200, {})
        return
      default: {
        const token = this.faultyToken(fault.type, refreshTokenOf(req))
        sendJson(res, 200, { shortSession: token, sessionToken: token })
      }
    }
  }

  private faultyToken(
    type: 'unknown-key' | 'bad-signature' | 'other-user' | 'expired-token',
    refreshToken: string | undefined,
  ): string {
    const userId = this.store.userIdOf(refreshToken) ?? ANONYMOUS_USER_ID
    switch (type) {
      case 'unknown-key':
        return this.mintSessionToken(userId, { signer: 'unknown-key' })
      case 'bad-signature':
        return corruptSignature(this.mintSessionToken(userId))
      case 'other-user':
        return this.mintSessionToken(OTHER_USER_ID)
      case 'expired-token':
        return this.mintSessionToken(userId, { expiresInSeconds: -60 })
    }
  }
}
