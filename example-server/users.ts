/**
 * The users the demo's "sign in as…" buttons log in at the fake Frontend API.
 *
 * @module
 */

/** A user of the fake. */
export interface DemoUser {
  /** Corbado user ID, `usr-<digits>`. */
  readonly id: string
  readonly name: string
  readonly email: string
}

/** The demo users, in button order. */
export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'usr-4711000001', name: 'Ada Lovelace', email: 'ada@example.com' },
  { id: 'usr-4711000002', name: 'Alan Turing', email: 'alan@example.com' },
]
