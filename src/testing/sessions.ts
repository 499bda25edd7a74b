/**
 * Users, refresh-token sessions and session-token claims of the fake.
 *
 * @module
 */
import { randomAlnum, randomDigits, randomRefreshToken } from './ids.js'

/** A user known to the fake. */
export interface FakeUser {
  readonly id: string
  name: string
  email: string | undefined
  /** ID of the email identifier, `ide-<digits>`. */
  readonly identifierId: string
}

/** Server-side session states (a subset of Corbado's `longSessionStatus`). */
export type SessionStatus = 'active' | 'revoked' | 'logged_out'

/** A session behind one refresh-token. */
export interface FakeSession {
  readonly userId: string
  status: SessionStatus
  /** Lifetime of the session-tokens minted for this session, seconds. */
  readonly lifetimeSeconds: number
}

/** In-memory users and sessions. */
export class SessionStore {
  private readonly users = new Map<string, FakeUser>()
  private readonly sessions = new Map<string, FakeSession>()

  /** Create user `id` or update the given fields of an existing one. */
  upsertUser(id: string, fields: { name?: string; email?: string }): FakeUser {
    let user = this.users.get(id)
    if (user === undefined) {
      user = { id, name: '', email: undefined, identifierId: `ide-${randomDigits(19)}` }
      this.users.set(id, user)
    }
    if (fields.name !== undefined) user.name = fields.name
    if (fields.email !== undefined) user.email = fields.email
    return user
  }

  /** The user with `id`, or a bare stand-in for an unknown ID (e.g. from a minted token). */
  user(id: string): FakeUser {
    return this.users.get(id) ?? { id, name: '', email: undefined, identifierId: 'ide-0' }
  }

  /** Start an active session for `userId`; returns its new refresh-token. */
  start(userId: string, lifetimeSeconds: number): string {
    const refreshToken = randomRefreshToken()
    this.sessions.set(refreshToken, { userId, status: 'active', lifetimeSeconds })
    return refreshToken
  }

  /** The session of `refreshToken` in any state, or `undefined` when unknown. */
  find(refreshToken: string | undefined): FakeSession | undefined {
    return refreshToken === undefined ? undefined : this.sessions.get(refreshToken)
  }

  /** The session of `refreshToken` when it is active. */
  active(refreshToken: string | undefined): FakeSession | undefined {
    const session = this.find(refreshToken)
    return session?.status === 'active' ? session : undefined
  }
}

/**
 * Corbado's session-token claims for `user`: `iss, sub, exp, nbf, iat, jti, name?, orig, email?,
 * version`, with `nbf = iat - 10`.
 */
export function sessionClaims(
  issuer: string,
  user: FakeUser,
  iat: number,
  exp: number,
): Record<string, unknown> {
  return {
    iss: issuer,
    sub: user.id,
    exp,
    nbf: iat - 10,
    iat,
    jti: randomAlnum(30),
    ...(user.name === '' ? {} : { name: user.name }),
    orig: user.email ?? user.id,
    ...(user.email === undefined ? {} : { email: user.email }),
    version: 2,
  }
}
