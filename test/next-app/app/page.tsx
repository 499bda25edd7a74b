import Link from 'next/link'
import { getCorbadoSession } from 'corbado-keepalive/next'
import { corbado } from '../lib/corbado'
import { SessionView } from '../lib/session-view'
import { WhoAmI } from './who-am-i'

export default async function Home() {
  const session = await getCorbadoSession(corbado)
  return (
    <main>
      <h1>Home</h1>
      <SessionView session={session} />
      <WhoAmI />
      <Link href="/other" prefetch={false}>
        Other page
      </Link>
    </main>
  )
}
