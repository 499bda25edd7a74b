import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const doc = readFileSync(`${root}docs/frameworks.md`, 'utf8')
const standIns = readFileSync(fileURLToPath(new URL('stand-ins.d.ts.txt', import.meta.url)), 'utf8')
const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!)

describe('docs/frameworks.md', () => {
  it('has its examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(9)
  })

  // One program for every block: each is its own module, so their names do not clash.
  it('type-checks every TypeScript block against the sources', () => {
    const files = new Map<string, string>(
      blocks.map((code, i) => [`${root}docs/__example_${i}.ts`, code]),
    )
    files.set(`${root}docs/__stand-ins.d.ts`, standIns)
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: [],
      skipLibCheck: true,
      paths: { 'corbado-keepalive/*': [`${root}src/*.ts`] },
    }
    const host = ts.createCompilerHost(options)
    const readFile = host.readFile.bind(host)
    const fileExists = host.fileExists.bind(host)
    host.readFile = (name) => files.get(name) ?? readFile(name)
    host.fileExists = (name) => files.has(name) || fileExists(name)
    const program = ts.createProgram([...files.keys()], options, host)
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || files.has(d.file.fileName))
      .map((d) => {
        const where = d.file?.getLineAndCharacterOfPosition(d.start ?? 0)
        const name = d.file?.fileName.slice(root.length) ?? ''
        return `${name}:${(where?.line ?? 0) + 1} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
      })
    expect(problems).toEqual([])
  })
})
