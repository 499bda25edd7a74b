import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { rewriteLocation } from '../../src/gateway/response-headers.js'
import type { GatewayMapping } from '../../src/gateway/response-headers.js'

const cookies = { domain: undefined, path: '/' }
const atRoot: GatewayMapping = {
  upstream: new URL('https://pro-1.frontendapi.example'),
  mountPath: '',
  cookies,
}
const withPrefix: GatewayMapping = {
  upstream: new URL('https://api.example/fapi'),
  mountPath: '',
  cookies,
}

/** A Location a browser would follow off the app's origin, or treat as a path from the root. */
function leavesOrigin(location: string): boolean {
  return /^[/\\]{2}/.test(location) || /^[a-z][a-z\d+.-]*:/i.test(location)
}

describe('rewriteLocation never makes an open redirect', () => {
  it.each<[string, string, GatewayMapping]>([
    ['https://pro-1.frontendapi.example//evil.test/x', '/evil.test/x', atRoot],
    ['https://pro-1.frontendapi.example/\\evil.test/x', '/evil.test/x', atRoot],
    ['https://pro-1.frontendapi.example/\\/evil.test/x?a=1', '/evil.test/x?a=1', atRoot],
    ['//pro-1.frontendapi.example//evil.test', '/evil.test', atRoot],
    ['https://api.example/fapi//evil.test/x', '/evil.test/x', withPrefix],
    ['https://api.example/fapi/\\evil.test/x', '/evil.test/x', withPrefix],
    ['https://pro-1.frontendapi.example//e', '/.corbado/e', { ...atRoot, mountPath: '/.corbado' }],
  ])('%s', (location, expected, mapping) => {
    expect(rewriteLocation(location, mapping)).toBe(expected)
  })

  it('for any path below the Frontend API, the rewrite stays on the app’s origin', () => {
    const segment = fc.stringMatching(/^[a-z/\\.%:@?#]{0,12}$/)
    fc.assert(
      fc.property(fc.constantFrom(atRoot, withPrefix), segment, (mapping, path) => {
        const base = mapping.upstream.href.replace(/\/$/, '')
        const location = `${base}/${path}`
        const rewritten = rewriteLocation(location, mapping)
        // Unchanged (not below the Frontend API) or rewritten: never off the app's origin.
        if (rewritten !== location) expect(leavesOrigin(rewritten)).toBe(false)
      }),
      { numRuns: 2000 },
    )
  })
})
