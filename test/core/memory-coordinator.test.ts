import { describe, expect, it } from 'vitest'
import { InvalidOptionError, MemoryCoordinator } from '../../src/index.js'
import type { SharedRefreshResult } from '../../src/index.js'

const key = (id: string) => ({ id, refreshToken: `rt-${id}` })

function deferred() {
  let resolve!: (value: SharedRefreshResult) => void
  const promise = new Promise<SharedRefreshResult>((r) => (resolve = r))
  return { promise, resolve }
}

describe('MemoryCoordinator', () => {
  it('runs one refresh for concurrent callers with the same key', async () => {
    const coordinator = new MemoryCoordinator()
    const gate = deferred()
    let calls = 0
    const refresh = () => {
      calls++
      return gate.promise
    }
    const waiting = Array.from({ length: 50 }, () => coordinator.coordinate(key('a'), refresh))
    expect(coordinator.inFlight).toBe(1)
    gate.resolve({ kind: 'refreshed', sessionToken: 't' })
    const results = await Promise.all(waiting)
    expect(calls).toBe(1)
    expect(results.filter((r) => !r.coalesced)).toHaveLength(1)
    expect(new Set(results.map((r) => (r.kind === 'refreshed' ? r.sessionToken : r.kind)))).toEqual(
      new Set(['t']),
    )
    expect(coordinator.inFlight).toBe(0)
  })

  it('keeps different keys apart', async () => {
    const coordinator = new MemoryCoordinator()
    const [a, b] = await Promise.all([
      coordinator.coordinate(key('a'), () =>
        Promise.resolve({ kind: 'refreshed', sessionToken: 'A' }),
      ),
      coordinator.coordinate(key('b'), () =>
        Promise.resolve({ kind: 'refreshed', sessionToken: 'B' }),
      ),
    ])
    expect(a).toEqual({ kind: 'refreshed', sessionToken: 'A', coalesced: false })
    expect(b).toEqual({ kind: 'refreshed', sessionToken: 'B', coalesced: false })
  })

  it('reuses a result for resultTtlMs, and never a failure', async () => {
    const coordinator = new MemoryCoordinator({ resultTtlMs: 50 })
    let calls = 0
    const ok = () => {
      calls++
      return Promise.resolve<SharedRefreshResult>({ kind: 'ended', status: 401 })
    }
    await coordinator.coordinate(key('a'), ok)
    expect(await coordinator.coordinate(key('a'), ok)).toEqual({
      kind: 'ended',
      status: 401,
      coalesced: true,
    })
    expect(calls).toBe(1)
    await new Promise((r) => setTimeout(r, 60))
    await coordinator.coordinate(key('a'), ok)
    expect(calls).toBe(2)

    let failures = 0
    const failing = () => {
      failures++
      return Promise.resolve<SharedRefreshResult>({ kind: 'failed', reason: 'network' })
    }
    await coordinator.coordinate(key('f'), failing)
    await coordinator.coordinate(key('f'), failing)
    expect(failures).toBe(2)
  })

  it('validates its options', () => {
    expect(() => new MemoryCoordinator({ resultTtlMs: 0 })).toThrow(InvalidOptionError)
    expect(() => new MemoryCoordinator({ maxEntries: 1.5 })).toThrow(/"maxEntries"/)
  })
})

describe('MemoryCoordinator and token expiry', () => {
  it('never reuses a new token past its expiry, however long resultTtlMs', async () => {
    const coordinator = new MemoryCoordinator({ resultTtlMs: 60_000 })
    let calls = 0
    const refresh = () => {
      calls++
      return Promise.resolve<SharedRefreshResult>({
        kind: 'refreshed',
        sessionToken: `t${calls}`,
        expiresAtMs: Date.now() + 1100,
      })
    }
    expect(await coordinator.coordinate(key('a'), refresh)).toMatchObject({ sessionToken: 't1' })
    expect(await coordinator.coordinate(key('a'), refresh)).toMatchObject({
      sessionToken: 't1',
      coalesced: true,
    })
    await new Promise((r) => setTimeout(r, 150))
    expect(await coordinator.coordinate(key('a'), refresh)).toMatchObject({
      sessionToken: 't2',
      coalesced: false,
    })
  })

  it('does not keep a token that expires within a second', async () => {
    const coordinator = new MemoryCoordinator()
    let calls = 0
    const refresh = () => {
      calls++
      return Promise.resolve<SharedRefreshResult>({
        kind: 'refreshed',
        sessionToken: 't',
        expiresAtMs: Date.now() + 500,
      })
    }
    await coordinator.coordinate(key('a'), refresh)
    await coordinator.coordinate(key('a'), refresh)
    expect(calls).toBe(2)
  })
})
