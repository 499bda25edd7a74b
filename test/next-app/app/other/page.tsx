import Link from 'next/link'
import { getCorbadoSession } from 'corbado-keepalive/next'
import { corbado } from '../../lib/corbado'
import { SessionView } from '../../lib/session-view'

export default async function Other() {
  const session = await getCorbadoSession(corbado)
  return (
    <main>
      <h1>Other</h1>
      <SessionView session={session} />
      <Link href="/">Home</Link>
    </main>
  )
}
