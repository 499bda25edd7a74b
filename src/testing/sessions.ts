/**
 * Users, refresh-token sessions and session-token claims of the fake.
 *
 * @module
 */
import { randomAlnum, randomDigits, randomRefreshToken } from './ids.js'

/** Longest `userId`, `name` or `email` a login may give, in characters. */
export const MAX_USER_FIELD_LENGTH = 256

/**
 * How many users, active sessions and ended sessions the store keeps each; beyond it the oldest
 * entry goes. Twice the largest number of sessions a benchmark keeps alive at once.
 */
export const MAX_ENTRIES = 20_000

/** A user known to the fake. */
export interface FakeUser {
  readonly id: string
  name: string
  email: string | undefined
  /** ID of the email identifier, `ide-<digits>`. */
  readonly identifierId: string
}

/** An active session behind one refresh-token. */
export interface FakeSession {
  readonly userId: string
  /** Lifetime of the session-tokens minted for this session, seconds. */
  readonly lifetimeSeconds: number
}

/**
 * In-memory users and sessions, each map bounded by `limit` (default {@link MAX_ENTRIES}), the
 * oldest entry dropped first.
 */
export class SessionStore {
  /** In order of the last login, least recent first. */
  private readonly users = new Map<string, FakeUser>()
  private readonly sessions = new Map<string, FakeSession>()
  /**
   * The user IDs of revoked and logged-out sessions. Their refresh-tokens answer 401 as unknown
   * ones do; only token faults still mint for the session's user.
   */
  private readonly ended = new Map<string, string>()

  constructor(private readonly limit = MAX_ENTRIES) {}

  /** Entries held, per map. */
  get size(): { users: number; sessions: number; ended: number } {
    return { users: this.users.size, sessions: this.sessions.size, ended: this.ended.size }
  }

  /** Create user `id` or update the given fields of an existing one, which becomes the newest. */
  upsertUser(id: string, fields: { name?: string; email?: string }): FakeUser {
    const user = this.users.get(id) ?? {
      id,
      name: '',
      email: undefined,
      identifierId: `ide-${randomDigits(19)}`,
    }
    this.users.delete(id)
    keep(this.users, id, user, this.limit)
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
    keep(this.sessions, refreshToken, { userId, lifetimeSeconds }, this.limit)
    return refreshToken
  }

  /** The session of `refreshToken` when it is active. */
  active(refreshToken: string | undefined): FakeSession | undefined {
    return refreshToken === undefined ? undefined : this.sessions.get(refreshToken)
  }

  /**
   * End the active session of `refreshToken` (revoke or logout). Returns `false` when there was
   * none: unknown, evicted or already ended.
   */
  end(refreshToken: string | undefined): boolean {
    const session = this.active(refreshToken)
    if (refreshToken === undefined || session === undefined) return false
    this.sessions.delete(refreshToken)
    keep(this.ended, refreshToken, session.userId, this.limit)
    return true
  }

  /** The user ID of `refreshToken`'s session, active or ended; `undefined` when unknown. */
  userIdOf(refreshToken: string | undefined): string | undefined {
    if (refreshToken === undefined) return undefined
    return this.sessions.get(refreshToken)?.userId ?? this.ended.get(refreshToken)
  }
}

/** Set `key` as the newest entry of `map`, dropping the oldest beyond `limit`. */
function keep<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.set(key, value)
  if (map.size <= limit) return
  const oldest = map.keys().next()
  if (oldest.done !== true) map.delete(oldest.value)
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
