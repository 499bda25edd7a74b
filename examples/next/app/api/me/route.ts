import { getCorbadoSession } from 'corbado-keepalive/next'
import { corbado } from '../../../lib/corbado'

export async function GET(): Promise<Response> {
  const session = await getCorbadoSession(corbado)
  if (session === undefined) return new Response(null, { status: 401 })
  return Response.json({ userId: session.userId, email: session.claims.email ?? null })
}
