import type { CorbadoSession } from 'corbado-keepalive/next'

/** The signature's tail tells tokens apart without printing a whole token into the page. */
export function tokenTail(session: CorbadoSession | undefined): string {
  return session === undefined ? '' : session.token.slice(-24)
}

export function SessionView({ session }: { session: CorbadoSession | undefined }) {
  return (
    <dl>
      <dt>user</dt>
      <dd data-testid="user">{session?.userId ?? 'anonymous'}</dd>
      <dt>token</dt>
      <dd data-testid="token-tail">{`tail:${tokenTail(session)}:end`}</dd>
    </dl>
  )
}
