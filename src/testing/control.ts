/**
 * The test-only control plane under `/__fake/`: log a user in over HTTP (as the end of a Corbado
 * login would) and revoke sessions.
 *
 * @module
 */
import { sendError } from './error-envelope.js'
import { refreshCookie, sendJson } from './http.js'
import type { RequestContext } from './routes.js'
import { MAX_USER_FIELD_LENGTH } from './sessions.js'
import type { FakeCorbado } from './types.js'

/** What the control plane needs from the fake. */
export interface ControlDeps {
  login: FakeCorbado['login']
  revoke: FakeCorbado['revoke']
  cookieDomain: string | undefined
}

/**
 * `POST /__fake/login {userId, name?, email?}` → `200 {sessionToken, refreshToken}` plus the
 * `cbo_refresh_token` cookie, or `400 validation_error` when a field is not a string or longer than
 * 256 characters; `POST /__fake/revoke {refreshToken}` → `204`.
 */
export function handleControl(ctx: RequestContext, pathname: string, deps: ControlDeps): void {
  const { req, res, startedAt } = ctx
  if (pathname !== '/__fake/login' && pathname !== '/__fake/revoke') {
    sendError(res, 404, 'not_found', `no route ${pathname}`, startedAt)
    return
  }
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST')
    sendError(res, 405, 'method_not_allowed', 'use POST', startedAt)
    return
  }
  const body = parseObject(ctx.body)
  if (body === undefined) {
    sendError(res, 400, 'invalid_json', 'body must be a JSON object', startedAt)
    return
  }
  if (pathname === '/__fake/revoke') {
    if (typeof body.refreshToken !== 'string') {
      sendError(res, 400, 'validation_error', 'refreshToken must be a string', startedAt)
      return
    }
    deps.revoke(body.refreshToken)
    res.writeHead(204)
    res.end()
    return
  }
  const { userId, name, email } = body
  const valid =
    typeof userId === 'string' &&
    userId !== '' &&
    (name === undefined || typeof name === 'string') &&
    (email === undefined || typeof email === 'string')
  if (!valid) {
    const message = 'userId must be a non-empty string; name and email strings'
    sendError(res, 400, 'validation_error', message, startedAt)
    return
  }
  if ([userId, name, email].some((field) => (field?.length ?? 0) > MAX_USER_FIELD_LENGTH)) {
    const message = `userId, name and email must be at most ${MAX_USER_FIELD_LENGTH} characters`
    sendError(res, 400, 'validation_error', message, startedAt)
    return
  }
  const tokens = deps.login(userId, { name, email })
  sendJson(res, 200, tokens, {
    'set-cookie': refreshCookie('cbo_refresh_token', tokens.refreshToken, deps.cookieDomain),
  })
}

function parseObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
