import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import type { KeepAliveOptions } from '../../src/index.js'
import type { FrameworkHarness, TestApp } from './frameworks.js'

/** The fake Frontend API of a describe block, and the app of the running test. */
export interface Scenario {
  readonly fake: FakeCorbado
  readonly app: TestApp
}

/**
 * Register hooks for a describe block: one fake Frontend API for the block; before each test, a
 * clean fake (no fault, no latency, no recorded calls) and a new app on `framework` with the
 * keep-alive pointed at the fake, plus `options`.
 */
export function useScenario(
  framework: FrameworkHarness,
  options: Omit<KeepAliveOptions<never>, 'projectId'> = {},
): Scenario {
  let fake: FakeCorbado | undefined
  let app: TestApp | undefined
  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await framework.stop?.()
    await fake?.close()
  })
  beforeEach(async () => {
    const f = fake!
    f.setFault(undefined)
    f.setLatency(0)
    f.resetCalls()
    app = await framework.start({ projectId: f.projectId, frontendApiUrl: f.url, ...options })
  })
  afterEach(async () => {
    await app?.close()
    app = undefined
  })
  return {
    get fake() {
      return fake!
    },
    get app() {
      return app!
    },
  }
}
