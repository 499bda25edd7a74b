/**
 * The Frontend API behind the demo: the in-process fake, or a real Corbado project.
 *
 * @module
 */
import { startFakeCorbado } from '../src/testing/index.js'
import type { FakeCorbado } from '../src/testing/index.js'
import type { ProviderConfig } from './config.js'

/** The Frontend API the demo's keep-alive refreshes against. */
export interface Provider {
  readonly projectId: string
  /** `undefined`: the package's default URL for `projectId`. */
  readonly frontendApiUrl: string | undefined
  /** The fake, when running without a Corbado project: it signs users in and simulates outages. */
  readonly fake: FakeCorbado | undefined
  close(): Promise<void>
}

/** Start the fake (with session-tokens living `sessionLifetimeSeconds`) or point at Corbado. */
export async function startProvider(
  config: ProviderConfig,
  sessionLifetimeSeconds: number,
): Promise<Provider> {
  if (config.kind === 'corbado') {
    return {
      projectId: config.projectId,
      frontendApiUrl: config.frontendApiUrl,
      fake: undefined,
      close: () => Promise.resolve(),
    }
  }
  const fake = await startFakeCorbado({ sessionLifetimeSeconds })
  return {
    projectId: fake.projectId,
    frontendApiUrl: fake.url,
    fake,
    close: () => fake.close(),
  }
}
