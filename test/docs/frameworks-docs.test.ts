/**
 * The code blocks of docs/frameworks.md compile: each `ts`/`tsx` block that starts with a
 * `// <path>` comment is written as that file of one app, and the app is type-checked against
 * the package's sources (`corbado-keepalive/*` → `src/*.ts`) and the installed `next`; so is
 * the example app of examples/next.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')
const DOC = join(ROOT, 'docs', 'frameworks.md')

interface Block {
  readonly path: string
  readonly code: string
}

/** The `// <path>` blocks of `section`; several blocks for one path become separate apps. */
function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = []
  for (const match of markdown.matchAll(/```tsx?\n([\s\S]*?)```/g)) {
    const code = match[1] ?? ''
    const path = /^\/\/ (\S+\.tsx?)\n/.exec(code)?.[1]
    if (path === undefined) throw new Error(`a code block without a // <path> line:\n${code}`)
    blocks.push({ path, code })
  }
  return blocks
}

/** Type errors of an app made of `files`, written under test-artifacts/. */
function typeErrors(name: string, files: readonly Block[]): string[] {
  const dir = join(ROOT, 'test-artifacts', 'docs', name)
  rmSync(dir, { recursive: true, force: true })
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true })
    writeFileSync(join(dir, file.path), file.code)
  }
  const program = ts.createProgram(
    files.map((file) => join(dir, file.path)),
    {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      jsx: ts.JsxEmit.ReactJSX,
      lib: ['lib.dom.d.ts', 'lib.es2023.d.ts'],
      types: ['node'],
      allowImportingTsExtensions: true,
      paths: { 'corbado-keepalive/*': [join(ROOT, 'src', '*.ts')] },
    },
  )
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
}

/** The TypeScript files of `dir`, as blocks. */
function filesOf(dir: string): Block[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => /\.tsx?$/.test(path) && !path.startsWith('node_modules'))
    .map((path) => ({ path, code: readFileSync(join(dir, path), 'utf8') }))
}

describe('docs/frameworks.md', () => {
  const blocks = blocksOf(readFileSync(DOC, 'utf8'))

  it('has the Next.js files: options, proxy.ts, a page, an action, a route handler', () => {
    expect(blocks.map((block) => block.path)).toEqual([
      'lib/corbado.ts',
      'proxy.ts',
      'app/page.tsx',
      'app/actions.ts',
      'app/api/me/route.ts',
      'proxy.ts',
    ])
  })

  it('type-checks every Next.js block, each proxy.ts with the shared files', () => {
    const shared = blocks.filter((block) => block.path !== 'proxy.ts')
    const proxies = blocks.filter((block) => block.path === 'proxy.ts')
    for (const [i, proxy] of proxies.entries()) {
      expect(typeErrors(`next-${String(i)}`, [...shared, proxy])).toEqual([])
    }
  })

  it('type-checks the example app of examples/next', () => {
    const example = filesOf(join(ROOT, 'examples', 'next'))
    expect(example.map((file) => file.path).sort()).toContain('proxy.ts')
    expect(typeErrors('example-next', example)).toEqual([])
  })
})
