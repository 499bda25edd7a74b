/**
 * A client that leaves a long poll: the upstream holds the request open, the client goes away
 * before any answer. A proxy should then close its upstream request at once, not at its timeout.
 */
import { createServer, request } from 'node:http'
import { listen } from './http.js'
import type { RunningServer } from './http.js'

/** An upstream that never answers, and records when the request came and its connection went. */
export interface HangingUpstream extends RunningServer {
  /** Resolves when the first request has arrived. */
  readonly received: Promise<void>
  /** Resolves with the time (`Date.now()`) the first request's connection closed. */
  readonly closed: Promise<number>
}

export async function startHangingUpstream(): Promise<HangingUpstream> {
  let arrived!: () => void
  let gone!: (at: number) => void
  const received = new Promise<void>((resolve) => (arrived = resolve))
  const closed = new Promise<number>((resolve) => (gone = resolve))
  const server = await listen(
    createServer((req) => {
      arrived()
      req.socket.once('close', () => {
        gone(Date.now())
      })
    }),
  )
  return { ...server, received, closed }
}

/**
 * GET `url`, wait until `upstream` has the request, then leave; resolves with how long after
 * leaving the upstream saw its connection close, milliseconds.
 */
export async function leaveLongPoll(url: string, upstream: HangingUpstream): Promise<number> {
  const client = request(url)
  client.on('error', () => {
    // The client's own abort.
  })
  client.end()
  await upstream.received
  const leftAt = Date.now()
  client.destroy()
  return (await upstream.closed) - leftAt
}
