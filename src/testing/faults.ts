/**
 * Injected faults and latencies.
 *
 * @module
 */
import type { FakeFault, FakeRoute } from './types.js'

const ROUTES: ReadonlySet<string> = new Set<FakeRoute>([
  'refresh',
  'jwks',
  'logout',
  'me',
  'session-config',
  'process-config',
])

const FAULT_TYPES: ReadonlySet<string> = new Set<FakeFault['type']>([
  'status',
  'hang',
  'reset',
  'non-json',
  'empty-body',
  'missing-token',
  'unknown-key',
  'bad-signature',
  'other-user',
  'expired-token',
])

/** Throw a `TypeError` unless `route` is a {@link FakeRoute}. */
export function assertRoute(route: string, name: string): asserts route is FakeRoute {
  if (!ROUTES.has(route)) throw new TypeError(`${name} must be a FakeRoute, got "${route}"`)
}

function assertFault(fault: FakeFault): void {
  if (!FAULT_TYPES.has(fault.type)) {
    throw new TypeError(`setFault: unknown fault type ${JSON.stringify(fault.type)}`)
  }
  if (fault.route !== undefined) assertRoute(fault.route, 'setFault: fault.route')
  if (fault.times !== undefined && !(Number.isSafeInteger(fault.times) && fault.times > 0)) {
    throw new RangeError(`setFault: fault.times must be a positive integer, got ${fault.times}`)
  }
  if (fault.type !== 'status') return
  if (!Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599) {
    throw new RangeError(
      `setFault: fault.status must be an integer in 200-599, got ${fault.status}`,
    )
  }
  const retry = fault.retryAfterSeconds
  if (retry !== undefined && !(Number.isSafeInteger(retry) && retry >= 0)) {
    throw new RangeError(
      `setFault: fault.retryAfterSeconds must be a non-negative integer, got ${retry}`,
    )
  }
}

/** The current fault (one at a time) and the per-route latencies. */
export class FaultState {
  private fault: FakeFault | undefined
  private remaining = Infinity
  private readonly latencies = new Map<FakeRoute, number>()

  /** Replace the current fault; `undefined` clears it. */
  set(fault: FakeFault | undefined): void {
    if (fault !== undefined) assertFault(fault)
    this.fault = fault === undefined ? undefined : { ...fault }
    this.remaining = fault?.times ?? Infinity
  }

  /** The fault to apply to a request of `route`, counting it against `times`. */
  take(route: FakeRoute): FakeFault | undefined {
    const fault = this.fault
    if (fault === undefined || (fault.route ?? 'refresh') !== route) return undefined
    this.remaining -= 1
    if (this.remaining <= 0) this.fault = undefined
    return fault
  }

  /** Delay answers of `route` by `ms` milliseconds; `0` removes the delay. */
  setLatency(ms: number, route: FakeRoute): void {
    if (!(Number.isFinite(ms) && ms >= 0)) {
      throw new RangeError(`setLatency: ms must be a finite number >= 0, got ${ms}`)
    }
    assertRoute(route, 'setLatency: route')
    if (ms === 0) this.latencies.delete(route)
    else this.latencies.set(route, ms)
  }

  /** The latency of `route` in milliseconds (0 when none). */
  latency(route: FakeRoute): number {
    return this.latencies.get(route) ?? 0
  }
}
