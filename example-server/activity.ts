/**
 * The keep-alive's recent events, collected through its hooks for the demo page. Hooks never
 * receive token values, so nothing here can leak one.
 *
 * @module
 */
import { RefreshFailedError } from '../src/index.js'
import type {
  CircuitChangeEvent,
  KeepAliveError,
  KeepAliveOptions,
  RefreshEvent,
  RefreshFailureReason,
  SessionEndedEvent,
} from '../src/index.js'

/** One thing the keep-alive did, as the page lists it. */
export type ActivityEvent = { readonly at: Date } & (
  | {
      readonly kind: 'refreshed'
      readonly userId: string
      readonly expiresAt: Date
      readonly coalesced: boolean
      readonly durationMs: number
    }
  | { readonly kind: 'failed'; readonly reason: RefreshFailureReason; readonly status?: number }
  | { readonly kind: 'ended'; readonly userId: string | undefined; readonly status: number }
  | { readonly kind: 'circuit'; readonly state: 'open' | 'closed' }
  | { readonly kind: 'error'; readonly code: string }
)

/** The hooks to pass to the keep-alive, and what they recorded. */
export interface Activity {
  /** Newest first, at most {@link MAX_EVENTS}. */
  readonly events: readonly ActivityEvent[]
  readonly hooks: Pick<
    KeepAliveOptions,
    'onRefresh' | 'onSessionEnded' | 'onError' | 'onCircuitChange'
  >
}

/** How many events the page keeps. */
export const MAX_EVENTS = 8

/** Create an empty activity log. */
export function createActivity(): Activity {
  const events: ActivityEvent[] = []
  const record = (event: ActivityEvent): void => {
    events.unshift(event)
    events.length = Math.min(events.length, MAX_EVENTS)
  }
  return {
    events,
    hooks: {
      onRefresh: ({ userId, expiresAt, coalesced, durationMs }: RefreshEvent) => {
        record({ at: new Date(), kind: 'refreshed', userId, expiresAt, coalesced, durationMs })
      },
      onSessionEnded: ({ userId, status }: SessionEndedEvent) => {
        record({ at: new Date(), kind: 'ended', userId, status })
      },
      onError: (error: KeepAliveError) => {
        record(
          error instanceof RefreshFailedError
            ? { at: new Date(), kind: 'failed', reason: error.reason, status: error.status }
            : { at: new Date(), kind: 'error', code: error.code },
        )
      },
      onCircuitChange: ({ state }: CircuitChangeEvent) => {
        record({ at: new Date(), kind: 'circuit', state })
      },
    },
  }
}
