import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createStats } from '../../src/core/stats.js'
import { toPrometheusText } from '../../src/index.js'

const guide = readFileSync(new URL('../../docs/observability.md', import.meta.url), 'utf8')
const examples = readFileSync(new URL('./observability-examples.ts', import.meta.url), 'utf8')

function blocks(language: string): string[] {
  return [...guide.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map(
    (match) => match[1]!.trimEnd(),
  )
}

describe('docs/observability.md', () => {
  it('shows TypeScript the compiler checked: each block is in observability-examples.ts', () => {
    const code = blocks('ts')
    expect(code).toHaveLength(4)
    for (const block of code) expect(examples).toContain(block)
  })

  it('scrapes and alerts on metrics the /metrics endpoint serves', () => {
    const text = toPrometheusText(createStats().snapshot({ hits: 0, misses: 0, size: 0 }, 'closed'))
    const served = new Set(text.split('\n').map((line) => /^[a-z_]+/.exec(line)?.[0]))
    const used = blocks('yaml').flatMap((block) => block.match(/corbado_keepalive_[a-z_]+/g) ?? [])
    expect(used.length).toBeGreaterThan(3)
    for (const name of used) {
      // A label name, or a sample name: both appear in the served text.
      expect(served.has(name) || text.includes(`${name}=`)).toBe(true)
    }
  })

  it('lists every metric name the package publishes', () => {
    const text = toPrometheusText(createStats().snapshot({ hits: 0, misses: 0, size: 0 }, 'closed'))
    for (const [, family] of text.matchAll(/^# TYPE (\S+)/gm)) {
      expect(guide).toContain(`\`${family}\``)
    }
  })
})
