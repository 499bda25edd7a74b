import { getCorbadoSession } from 'corbado-keepalive/next'
import { corbado } from '../lib/corbado'

export default async function Home() {
  const session = await getCorbadoSession(corbado)
  if (session === undefined) return <p>Signed out. Sign in with Corbado&apos;s web component.</p>
  return (
    <p>
      Signed in as {session.claims.name ?? session.userId}; the session-token is valid until{' '}
      {session.expiresAt.toISOString()}.
    </p>
  )
}
