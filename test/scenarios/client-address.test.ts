import { describe, expect, it } from 'vitest'
import { FRAMEWORKS } from '../helpers/frameworks.js'
import { useScenario } from '../helpers/scenario.js'

// The adapter reports the client's address; the refresh rate limit counts per address.
describe.each(FRAMEWORKS)('$name: the client address', (framework) => {
  const env = useScenario(framework, {
    refreshRateLimit: { perClientPerMinute: 1, unprovenPerSecond: 1000 },
  })

  it('limits made-up refresh-tokens from one address, counted by the adapter', async () => {
    await env.app.seen('cbo_refresh_token=made-up-1')
    const { seen } = await env.app.seen('cbo_refresh_token=made-up-2')
    expect(seen.session).toBeNull()
    expect(env.fake.refreshCount).toBe(1)
    expect((await env.app.stats()).failures.throttled).toBe(1)
  })
})
