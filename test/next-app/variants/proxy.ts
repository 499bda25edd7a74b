import { corbadoKeepAlive } from 'corbado-keepalive/next'
import { corbado } from './lib/corbado'

export default corbadoKeepAlive(corbado)

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
}
