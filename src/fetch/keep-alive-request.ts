/**
 * A Web `Request` as the core reads it: shared by the fetch and Next.js adapters.
 *
 * @module
 */
import type { KeepAliveRequest } from '../core/types.js'

/** The core's request for `request`, with the client's address its adapter was told. */
export function keepAliveRequestOf(
  request: Request,
  clientAddress: string | undefined,
): KeepAliveRequest<Request> {
  return {
    method: request.method,
    cookieHeader: request.headers.get('cookie') ?? undefined,
    clientAddress,
    raw: request,
  }
}
