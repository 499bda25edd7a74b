import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const ROOT = new URL('../../', import.meta.url)

/** The ```ts block of `section` in docs/frameworks.md. */
function exampleOf(section: string): string {
  const text = readFileSync(new URL('docs/frameworks.md', ROOT), 'utf8')
  const start = text.indexOf(`\n## ${section}\n`)
  expect(start).toBeGreaterThan(-1)
  const block = /```ts\n([\s\S]*?)```/.exec(text.slice(start))
  return block?.[1] ?? ''
}

// Each example is also a file under test/docs/, type-checked with the project (`tsc -p .`), with
// the package's import names pointing at its sources.
describe('docs/frameworks.md', () => {
  it('shows the Fastify example that type-checks as test/docs/fastify.example.ts', () => {
    const checked = readFileSync(new URL('test/docs/fastify.example.ts', ROOT), 'utf8')
    expect(exampleOf('Fastify')).toBe(
      checked.replace("'../../src/fastify.js'", "'corbado-keepalive/fastify'"),
    )
    expect(exampleOf('Fastify').split('\n').filter(Boolean).length).toBeLessThanOrEqual(10)
  })
})
