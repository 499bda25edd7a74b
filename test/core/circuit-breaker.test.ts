import { describe, expect, it } from 'vitest'
import { CircuitBreaker } from '../../src/core/circuit-breaker.js'
import type { CircuitState } from '../../src/core/circuit-breaker.js'

function breaker() {
  const changes: CircuitState[] = []
  const b = new CircuitBreaker({
    failureThreshold: 3,
    cooldownMs: 1000,
    onChange: (s) => changes.push(s),
  })
  return { b, changes }
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures', () => {
    const { b, changes } = breaker()
    b.recordFailure(0)
    b.recordFailure(0)
    expect(b.acquire(0)).toBe('allowed')
    b.recordFailure(0)
    expect(b.state).toBe('open')
    expect(b.acquire(999)).toBe('rejected')
    expect(changes).toEqual(['open'])
  })

  it('a success resets the count', () => {
    const { b } = breaker()
    b.recordFailure(0)
    b.recordFailure(0)
    b.recordSuccess()
    b.recordFailure(0)
    b.recordFailure(0)
    expect(b.state).toBe('closed')
  })

  it('lets one trial through after the cool-down; its success closes the circuit', () => {
    const { b, changes } = breaker()
    for (let i = 0; i < 3; i++) b.recordFailure(0)
    expect(b.acquire(1000)).toBe('trial')
    expect(b.acquire(1000)).toBe('rejected')
    b.recordSuccess()
    expect(b.acquire(1001)).toBe('allowed')
    expect(changes).toEqual(['open', 'half-open', 'closed'])
  })

  it('a failed trial opens the circuit for another cool-down', () => {
    const { b } = breaker()
    for (let i = 0; i < 3; i++) b.recordFailure(0)
    expect(b.acquire(1000)).toBe('trial')
    b.recordFailure(1000)
    expect(b.state).toBe('open')
    expect(b.acquire(1999)).toBe('rejected')
    expect(b.acquire(2000)).toBe('trial')
  })

  it('a released trial lets the next request try', () => {
    const { b } = breaker()
    for (let i = 0; i < 3; i++) b.recordFailure(0)
    expect(b.acquire(1000)).toBe('trial')
    b.release()
    expect(b.acquire(1000)).toBe('trial')
  })
})
