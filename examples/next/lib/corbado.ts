import type { KeepAliveOptions } from 'corbado-keepalive/next'

/** Shared by proxy.ts and every page: the same project, Frontend API and cookie names. */
export const corbado: KeepAliveOptions<Request> = {
  projectId: process.env.CORBADO_PROJECT_ID ?? 'pro-1234567890',
  // Leave unset for Corbado's cloud; set to a fake Frontend API (corbado-keepalive/testing) locally.
  frontendApiUrl: process.env.CORBADO_FRONTEND_API_URL,
}
