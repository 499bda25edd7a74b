import type { KeepAliveOptions } from 'corbado-keepalive/next'

/** The options the proxy and the pages share; the test starts the fake Frontend API first. */
export const corbado: KeepAliveOptions<Request> = {
  projectId: process.env.CORBADO_PROJECT_ID ?? 'pro-1234567890',
  frontendApiUrl: process.env.CORBADO_FRONTEND_API_URL ?? 'http://127.0.0.1:9',
  refreshBeforeExpirySeconds: Number(process.env.CORBADO_REFRESH_BEFORE_EXPIRY_SECONDS ?? '60'),
}
