import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { drive } from '../../src/core/drive.js'
import type { KeepAliveOutcome } from '../../src/index.js'

const outcome = { action: 'none' } as KeepAliveOutcome

/** Records the steps run, in order; `throwIn` makes one of them throw. */
function steps(throwIn?: 'apply' | 'proceed') {
  const log: string[] = []
  return {
    log,
    apply(o: KeepAliveOutcome) {
      log.push(`apply:${o.action}`)
      if (throwIn === 'apply') throw new Error('apply broke')
    },
    proceed() {
      log.push('proceed')
      if (throwIn === 'proceed') throw new Error('proceed broke')
      return 'proceeded'
    },
    fail(error: unknown) {
      log.push(`fail:${(error as Error).message}`)
      return 'failed'
    },
  }
}

describe('drive', () => {
  const unhandled: unknown[] = []
  const record = (reason: unknown) => unhandled.push(reason)
  beforeEach(() => {
    unhandled.length = 0
    process.on('unhandledRejection', record)
  })
  afterEach(async () => {
    // Unhandled rejections are reported after the microtasks of a macrotask have run.
    await new Promise((resolve) => setTimeout(resolve, 10))
    process.off('unhandledRejection', record)
    expect(unhandled).toEqual([])
  })

  it('a synchronous outcome is applied and proceeded at once, with no promise', () => {
    const s = steps()
    expect(drive(() => outcome, s)).toBe('proceeded')
    expect(s.log).toEqual(['apply:none', 'proceed'])
  })

  it('a synchronous throw of decide, apply or proceed goes to fail', () => {
    const s = steps('apply')
    expect(drive(() => outcome, s)).toBe('failed')
    expect(s.log).toEqual(['apply:none', 'fail:apply broke'])
    const p = steps('proceed')
    expect(drive(() => outcome, p)).toBe('failed')
    expect(p.log).toEqual(['apply:none', 'proceed', 'fail:proceed broke'])
    const t = steps()
    const broken = () => {
      throw new Error('decide broke')
    }
    expect(drive(broken, t)).toBe('failed')
    expect(t.log).toEqual(['fail:decide broke'])
  })

  it('an asynchronous outcome is applied, then proceeded', async () => {
    const s = steps()
    const result = drive(() => Promise.resolve(outcome), s)
    expect(result).toBeInstanceOf(Promise)
    expect(s.log).toEqual([])
    expect(await result).toBe('proceeded')
    expect(s.log).toEqual(['apply:none', 'proceed'])
  })

  it.each(['apply', 'proceed'] as const)(
    'a throw in %s after an asynchronous outcome goes to fail, never unhandled',
    async (where) => {
      const s = steps(where)
      // The result is dropped, as a callback-style framework (Express, Fastify) drops it.
      void drive(() => Promise.resolve(outcome), s)
      await new Promise((resolve) => setTimeout(resolve, 0))
      expect(s.log.at(-1)).toBe(`fail:${where} broke`)
    },
  )

  it('a rejected decision goes to fail', async () => {
    const s = steps()
    expect(await drive(() => Promise.reject(new Error('decide broke')), s)).toBe('failed')
    expect(s.log).toEqual(['fail:decide broke'])
  })
})
