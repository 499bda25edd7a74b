/**
 * The example app of examples/next type-checks against the package's sources
 * (`corbado-keepalive/*` → `src/*.ts`) and the installed `next`. The guides' code blocks are
 * checked by code-blocks.test.ts.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')

interface Block {
  readonly path: string
  readonly code: string
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

describe('examples/next', () => {
  it('type-checks against the package', () => {
    const example = filesOf(join(ROOT, 'examples', 'next'))
    expect(example.map((file) => file.path).sort()).toContain('proxy.ts')
    expect(typeErrors('example-next', example)).toEqual([])
  })
})
