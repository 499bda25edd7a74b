/**
 * Every code block in the user docs is checked: TypeScript is type-checked against the package's
 * sources under the names users import (`corbado-keepalive/express`, …), JSON and YAML are parsed, and shell
 * lines may only name npm scripts and command-line flags that exist. A block in any other language
 * fails the test, so nothing slips through unchecked. Mermaid diagrams are pictures, not code.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { parse as parseYaml } from 'yaml'
import { describe, expect, it } from 'vitest'
import { FLAGS } from '../../src/cli/args.js'

const ROOT = resolve(import.meta.dirname, '../..')
const OUT = join(ROOT, 'test-artifacts/doc-blocks')

interface CodeBlock {
  readonly file: string
  readonly line: number
  readonly lang: string
  readonly code: string
  /** The test that runs the block, from a `<!-- … run by test/… -->` line just before it. */
  readonly runBy: string | undefined
}

function docFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name))
  return ['README.md', 'CONTRIBUTING.md', ...docs].sort()
}

function blocksOf(file: string): CodeBlock[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n')
  const blocks: CodeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+)(\S*)\s*$/.exec(lines[i] ?? '')
    if (open === null) continue
    const [, indent = '', fence = '```', lang = ''] = open
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length && (lines[j] ?? '').trim() !== fence; j++) {
      body.push((lines[j] ?? '').slice(indent.length))
    }
    const before =
      lines
        .slice(0, i)
        .reverse()
        .find((line) => line.trim() !== '') ?? ''
    const runBy = /^<!--.*\brun by (test\/\S+?)\s*-->$/.exec(before.trim())?.[1]
    blocks.push({ file, line: i + 1, lang, code: body.join('\n'), runBy })
    i = j
  }
  return blocks
}

const BLOCKS = docFiles().flatMap(blocksOf)
const TYPESCRIPT = new Set(['ts', 'typescript', 'tsx'])
const CHECKED = new Set([...TYPESCRIPT, 'json', 'yaml', 'sh', 'bash', 'mermaid'])

/** `corbado-keepalive/<entry>` → the source file tsdown builds that entry from. */
function entryPaths(): Record<string, string[]> {
  const config = readFileSync(join(ROOT, 'tsdown.config.ts'), 'utf8')
  const paths: Record<string, string[]> = {}
  for (const [, name = '', source = ''] of config.matchAll(/(\w+):\s*'(src\/[^']+\.ts)'/g)) {
    paths[name === 'index' ? 'corbado-keepalive' : `corbado-keepalive/${name}`] = [
      join(ROOT, source),
    ]
  }
  return paths
}

describe('code blocks in README.md and docs/', () => {
  it('are all in a language the docs test checks', () => {
    const unchecked = BLOCKS.filter(
      (block) => !CHECKED.has(block.lang) && block.runBy === undefined,
    ).map((block) => `${block.file}:${block.line} (${block.lang || 'no language'})`)
    expect(unchecked).toEqual([])
    expect(BLOCKS.length).toBeGreaterThan(10)
  })

  it('TypeScript blocks type-check against the package', () => {
    rmSync(OUT, { recursive: true, force: true })
    mkdirSync(OUT, { recursive: true })
    const files = new Map<string, CodeBlock>()
    const write = (path: string, block: CodeBlock) => {
      mkdirSync(dirname(path), { recursive: true })
      // `export {}` makes each block a module of its own, so top-level await and names are local.
      writeFileSync(path, `${block.code}\nexport {}\n`)
      files.set(path, block)
    }
    // A block whose first line is `// <path>` is a file of an app the guide builds up; a path seen
    // again starts a variant of that app with this file replaced.
    const apps = new Map<string, { index: number; files: Map<string, CodeBlock> }>()
    const flush = (file: string) => {
      const app = apps.get(file)
      if (app === undefined) return
      for (const [path, block] of app.files) {
        write(join(OUT, `${file.replace(/[/.]/g, '_')}_app${String(app.index)}`, path), block)
      }
    }
    for (const block of BLOCKS.filter((b) => TYPESCRIPT.has(b.lang))) {
      const path = /^\/\/ (\S+\.tsx?)\n/.exec(block.code)?.[1]
      if (path === undefined) {
        const name = `${block.file.replace(/[/.]/g, '_')}_${String(block.line)}.${block.lang === 'tsx' ? 'tsx' : 'ts'}`
        write(join(OUT, name), block)
        continue
      }
      const app = apps.get(block.file) ?? { index: 0, files: new Map<string, CodeBlock>() }
      if (app.files.has(path)) {
        flush(block.file)
        app.index++
      }
      app.files.set(path, block)
      apps.set(block.file, app)
    }
    for (const file of apps.keys()) flush(file)
    const program = ts.createProgram(
      [
        ...files.keys(),
        join(ROOT, 'test/aliases.d.ts'),
        join(ROOT, 'test/docs/runtime-stand-ins.d.ts'),
      ],
      {
        target: ts.ScriptTarget.ES2023,
        lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        esModuleInterop: true,
        jsx: ts.JsxEmit.ReactJSX,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
        paths: entryPaths(),
      },
    )
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file !== undefined && files.has(resolve(d.file.fileName)))
      .map((d) => {
        const block = files.get(resolve(d.file!.fileName))!
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0)
        const text = ts.flattenDiagnosticMessageText(d.messageText, '\n')
        return `${block.file}:${block.line + 1 + line}: ${text}`
      })
    expect(problems).toEqual([])
    expect(files.size).toBeGreaterThan(5)
  }, 120_000)

  it('blocks marked "run by" name a test that reads that guide', () => {
    const unrun = BLOCKS.filter((block) => block.runBy !== undefined)
      .filter((block) => {
        const test = join(ROOT, block.runBy!)
        return !existsSync(test) || !readFileSync(test, 'utf8').includes(block.file)
      })
      .map((block) => `${block.file}:${block.line} → ${block.runBy!}`)
    expect(unrun).toEqual([])
  })

  it('relative links point at files that exist', () => {
    const broken: string[] = []
    for (const file of docFiles()) {
      const text = readFileSync(join(ROOT, file), 'utf8')
      for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:|^#/.test(target)) continue
        const path = resolve(ROOT, file, '..', target.split('#', 1)[0] ?? '')
        if (!existsSync(path)) broken.push(`${file}: ${target}`)
      }
    }
    expect(broken).toEqual([])
  })

  it('the proxy guide lists every command-line flag with its environment variable', () => {
    const guide = readFileSync(join(ROOT, 'docs/proxy.md'), 'utf8')
    const missing = Object.entries(FLAGS)
      .filter(([flag, { env }]) => !new RegExp(`\\| \`--${flag}[ \`].*\\| \`${env}\``).test(guide))
      .map(([flag]) => flag)
    expect(missing).toEqual([])
  })

  it('YAML blocks parse', () => {
    for (const block of BLOCKS.filter((b) => b.lang === 'yaml')) {
      expect(() => parseYaml(block.code) as unknown, `${block.file}:${block.line}`).not.toThrow()
    }
  })

  it('JSON blocks parse', () => {
    for (const block of BLOCKS.filter((b) => b.lang === 'json')) {
      expect(() => JSON.parse(block.code) as unknown, `${block.file}:${block.line}`).not.toThrow()
    }
  })

  it('shell blocks name only npm scripts and command-line flags that exist', () => {
    const scripts = Object.keys(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: object }).scripts,
    )
    const flags = new Set(['help', ...Object.keys(FLAGS)])
    const problems: string[] = []
    for (const block of BLOCKS.filter((b) => b.lang === 'sh' || b.lang === 'bash')) {
      const where = `${relative(ROOT, join(ROOT, block.file))}:${block.line}`
      for (const [, script = ''] of block.code.matchAll(/\bnpm run ([\w:-]+)/g)) {
        if (!scripts.includes(script)) problems.push(`${where}: no npm script "${script}"`)
      }
      for (const [, script = ''] of block.code.matchAll(/\bnpm (start|test)\b/g)) {
        if (!scripts.includes(script)) problems.push(`${where}: no npm script "${script}"`)
      }
      const proxyLines = block.code
        .replace(/\\\n/g, ' ')
        .split('\n')
        .filter((line) => line.includes('corbado-keepalive proxy'))
      for (const line of proxyLines) {
        for (const [, flag = ''] of line.matchAll(/\s--([\w-]+)/g)) {
          if (!flags.has(flag)) problems.push(`${where}: no flag "--${flag}"`)
        }
      }
    }
    expect(problems).toEqual([])
  })
})
