'use server'
import { getCorbadoSession } from 'corbado-keepalive/next'
import { corbado } from '../lib/corbado'
import { tokenTail } from '../lib/session-view'

/** A server action that reads the session the proxy refreshed for this very POST. */
export async function whoAmI(): Promise<string> {
  const session = await getCorbadoSession(corbado)
  return `action:${session?.userId ?? 'anonymous'}:${tokenTail(session)}:end`
}
