/**
 * The options every part that talks to Corbado shares, `projectId` and `frontendApiUrl`, and
 * their checks: the keep-alive and the gateway validate them alike.
 *
 * @module
 */
import { InvalidOptionError } from './errors.js'

const PROJECT_ID = /^pro-\d+$/

/** Validate a `projectId` option: required, `pro-<digits>`. */
export function resolveProjectId(input: unknown): string {
  if (typeof input !== 'string' || !PROJECT_ID.test(input)) {
    throw new InvalidOptionError(
      'projectId',
      'must be a Corbado project ID of the form "pro-<digits>"',
      input,
    )
  }
  return input
}

/**
 * Validate a `frontendApiUrl` option, defaulting to the project's Frontend API. Returned without
 * a trailing slash.
 */
export function resolveFrontendApiUrl(input: unknown, projectId: string): string {
  if (input === undefined) return `https://${projectId}.frontendapi.cloud.corbado.io`
  const name = 'frontendApiUrl'
  if (typeof input !== 'string') throw new InvalidOptionError(name, 'must be a URL string', input)
  const url = URL.parse(input)
  if (url === null) {
    throw new InvalidOptionError(
      name,
      'must be an absolute URL such as "https://auth.example.com"',
      input,
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidOptionError(name, 'must be an http(s) URL', input)
  }
  if (url.username !== '' || url.password !== '') {
    // The value is not shown: it holds a credential.
    throw new InvalidOptionError(name, 'must not contain credentials, a query or a fragment')
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InvalidOptionError(name, 'must not contain credentials, a query or a fragment', input)
  }
  return url.href.replace(/\/+$/, '')
}
