/** Runs in-situ-child.ts in its own process, pinned to the server CPU. */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { CAN_PIN, SERVER_CPU } from '../lib/processes.js'

/** The variants timed, by key: what the child runs, and what the report prints. */
export const VARIANTS = {
  timer: 'the timer alone',
  next: 'a middleware that only calls next()',
  cookie: 'a middleware that only reads req.headers.cookie',
  store: 'a middleware that only adds a plain property to the request',
  weakMap:
    'a middleware that only keeps a session in a WeakMap keyed by the request (how the Express adapter sets req.corbadoSession)',
  handle: 'keepAlive.handle() alone (find the cookie, look up the cache)',
  handleAgain:
    'keepAlive.handle() again on the same request, right after a first call: its code and data in the CPU caches',
  floor:
    'the least any keep-alive must do: find the cookie (one indexOf), one Map lookup, compare the token whole with a kept copy, check its expiry',
  keepAlive: 'corbadoKeepAlive, the whole middleware',
  nodeSdk: "@corbado/node-sdk's validateToken, until its promise settles",
} as const
export type Variant = keyof typeof VARIANTS

/** The variants timed in Hono: the same rows, fewer of them. */
export const HONO_VARIANTS = {
  timer: VARIANTS.timer,
  cookie: "a middleware that only reads the Cookie header (`c.req.header('cookie')`)",
  keepAlive: VARIANTS.keepAlive,
} as const
export type HonoVariant = keyof typeof HONO_VARIANTS

/** Median and p90 nanoseconds of one variant's call. */
export interface CallTime {
  readonly medianNs: number
  readonly p90Ns: number
}

/**
 * Per server kind, per variant: how long the call took inside the loaded server. `floor` is
 * absent from results measured before it was added.
 */
export interface InSituReport {
  readonly requestsPerVariant: number
  readonly express: Record<Exclude<Variant, 'floor'>, CallTime> & Partial<Record<'floor', CallTime>>
  readonly node: Record<Exclude<Variant, 'floor'>, CallTime> & Partial<Record<'floor', CallTime>>
  readonly hono: Record<HonoVariant, CallTime>
}

export function inSitu(): InSituReport {
  const script = fileURLToPath(new URL('./in-situ-child.ts', import.meta.url))
  const argv = ['--import', 'tsx', script]
  const output = CAN_PIN
    ? execFileSync('taskset', ['-c', SERVER_CPU, process.execPath, ...argv], { encoding: 'utf8' })
    : execFileSync(process.execPath, argv, { encoding: 'utf8' })
  return JSON.parse(output.trim().split('\n').at(-1)!) as InSituReport
}
