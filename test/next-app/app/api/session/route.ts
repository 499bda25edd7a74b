import { getCorbadoSession } from 'corbado-keepalive/next'
import { corbado } from '../../../lib/corbado'
import { tokenTail } from '../../../lib/session-view'

export async function GET(request: Request): Promise<Response> {
  const session = await getCorbadoSession(corbado)
  return Response.json({
    userId: session?.userId ?? null,
    tokenTail: tokenTail(session),
    // What reached the render under Next's instruction names (a client may try to send them).
    middlewareHeaders: [...request.headers.keys()].filter((name) =>
      name.startsWith('x-middleware-'),
    ),
  })
}
