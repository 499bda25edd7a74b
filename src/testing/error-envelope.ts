/**
 * Corbado's `errorRsp` envelope.
 *
 * @module
 */
import type { ServerResponse } from 'node:http'
import { sendJson } from './http.js'
import { randomDigits } from './ids.js'

/** The JSON body of a Corbado error answer. */
export interface ErrorEnvelope {
  httpStatusCode: number
  message: string
  requestData: { requestID: string; link: string }
  /** Seconds spent handling the request. */
  runtime: number
  error: { type: string; links: string[] }
}

const TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'validation_error',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  429: 'rate_limited',
}

/** A plausible `error.type` for an injected status. */
export function errorTypeFor(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'request_error')
}

/** Answer `status` with an error envelope; `startedAt` is a `performance.now()` reading. */
export function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  startedAt: number,
  headers: Record<string, string> = {},
): void {
  const body: ErrorEnvelope = {
    httpStatusCode: status,
    message,
    requestData: { requestID: `req-${randomDigits(19)}`, link: '' },
    runtime: (performance.now() - startedAt) / 1000,
    error: { type, links: [] },
  }
  sendJson(res, status, body, headers)
}
