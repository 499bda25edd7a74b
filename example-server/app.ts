/**
 * What the framework-specific demo apps have in common.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { KeepAliveStats } from '../src/index.js'

/** A demo app ready to be served by `node:http`. */
export interface DemoApp {
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void
  /** The keep-alive middleware's counters. */
  stats(): KeepAliveStats
}
