/**
 * Node's `diagnostics_channel` (Bun and Deno implement it too), reached without importing
 * `node:` so the core stays runtime-neutral: through `process.getBuiltinModule` where the
 * runtime has it, else not at all. Publishing costs nothing while no one subscribes.
 *
 * @module
 */
import { CHANNEL } from './names.js'

/** The part of a `diagnostics_channel` `Channel` this package uses. */
export interface Channel {
  readonly hasSubscribers: boolean
  publish(message: unknown): void
}

/** The part of a `diagnostics_channel` `TracingChannel` this package uses. */
export interface TracingChannel {
  readonly hasSubscribers: boolean
  tracePromise<T>(fn: () => Promise<T>, context: object): Promise<T>
}

interface DiagnosticsChannelModule {
  channel(name: string): Channel
  tracingChannel(name: string): TracingChannel
}

/** The package's channels, or `undefined` on a runtime without `diagnostics_channel`. */
export interface Channels {
  readonly refresh: TracingChannel
  readonly sessionEnded: Channel
  readonly circuitChange: Channel
}

let channels: Channels | undefined | null = null

/** The package's channels, created once per process. */
export function diagnosticChannels(): Channels | undefined {
  if (channels === null) channels = openChannels()
  return channels
}

function openChannels(): Channels | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
    .process
  let module: DiagnosticsChannelModule | undefined
  try {
    module = process?.getBuiltinModule?.('node:diagnostics_channel') as
      DiagnosticsChannelModule | undefined
  } catch {
    return undefined
  }
  if (typeof module?.tracingChannel !== 'function') return undefined
  return {
    refresh: module.tracingChannel(CHANNEL.refresh),
    sessionEnded: module.channel(CHANNEL.sessionEnded),
    circuitChange: module.channel(CHANNEL.circuitChange),
  }
}
