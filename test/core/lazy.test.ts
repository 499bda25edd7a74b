import { describe, expect, it } from 'vitest'
import { lazy } from '../../src/core/lazy.js'

describe('lazy', () => {
  it('runs nothing until awaited, then runs once for every await', async () => {
    let runs = 0
    const work = lazy(() => Promise.resolve(++runs))
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(runs).toBe(0)
    expect(await work).toBe(1)
    expect(await work).toBe(1)
    expect(runs).toBe(1)
  })

  it('`finished` waits for the work without starting it; `start` starts it', async () => {
    let runs = 0
    const work = lazy(() => Promise.resolve(++runs))
    let finished: number | undefined
    void work.finished.then((value) => (finished = value))
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect([runs, finished]).toEqual([0, undefined])
    work.start()
    expect(await work.finished).toBe(1)
    expect(runs).toBe(1)
  })

  it('a rejection reaches whoever awaits it, and a started, unawaited one is not left unhandled', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const work = lazy(() => Promise.reject(new Error('no')))
      work.start()
      await new Promise((resolve) => setTimeout(resolve, 5))
      expect(unhandled).toEqual([])
      await expect(work).rejects.toThrow('no')
      await expect(work.finished).rejects.toThrow('no')
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('work that throws at once settles `finished` with the error too', async () => {
    const work = lazy((): Promise<number> => {
      throw new Error('at once')
    })
    work.start()
    await expect(work.finished).rejects.toThrow('at once')
    await expect(work).rejects.toThrow('at once')
  })
})
