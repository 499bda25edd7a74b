/**
 * The packed package as a new user gets it: `npm pack`, installed into an empty project outside the
 * repository (so nothing resolves to the repository's own node_modules). Every entry of the exports
 * map is imported as ESM and as CJS without the optional peers (express, koa, ioredis…), type-checked
 * by a consumer under `moduleResolution` node16 and bundler, and the `bin` runs.
 *
 * node16 checks the shipped declarations themselves (`skipLibCheck: false`, both .d.mts and .d.cts);
 * bundler resolves the same .d.mts files, so it skips that slow check and proves the resolution.
 */
import { execFile } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, readManifest, requireBuiltDist } from '../helpers/dist.js'

const run = promisify(execFile)
const manifest = readManifest()
/** `corbado-keepalive`, `corbado-keepalive/express`, … : the JavaScript entries of the exports map. */
const ENTRIES = Object.entries(manifest.exports)
  .filter(([, target]) => typeof target !== 'string' || !target.endsWith('.json'))
  .map(([subpath]) => join(manifest.name, subpath).replace(/\/$/, ''))
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
const INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts']

const work = mkdtempSync(join(tmpdir(), 'corbado-keepalive-pack-'))
/** A project with only the packed package (and its dependencies) installed. */
const project = join(work, 'consumer')

beforeAll(async () => {
  requireBuiltDist()
  const { stdout } = await run(
    'npm',
    ['pack', '--ignore-scripts', '--silent', '--pack-destination', work],
    { cwd: ROOT },
  )
  const tarball = join(work, stdout.trim().split('\n').at(-1)!)
  cpSync(join(ROOT, 'test', 'package', 'consumer'), project, { recursive: true })
  await run('npm', [...INSTALL, tarball], { cwd: project, timeout: 240_000 })
}, 300_000)

afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

/** What `script` prints, run by Node in `cwd` as ESM (`.mjs`) or CJS (`.cjs`). */
async function node(cwd: string, file: string, script: string): Promise<string> {
  writeFileSync(join(cwd, file), script)
  return (await run(process.execPath, [file], { cwd })).stdout
}

describe(`the packed ${manifest.name}, installed in a new project`, () => {
  it('installs without any optional peer', () => {
    expect(ENTRIES).toContain(manifest.name)
    for (const [peer, meta] of Object.entries(manifest.peerDependenciesMeta ?? {})) {
      if (meta.optional === true)
        expect(existsSync(join(project, 'node_modules', peer))).toBe(false)
    }
  })

  it('ships the licence text its package.json names', () => {
    expect(manifest.license).toBe('MIT')
    const licence = readFileSync(join(project, 'node_modules', manifest.name, 'LICENSE'), 'utf8')
    expect(licence).toMatch(/^MIT License\n/)
    expect(licence).toContain('THE SOFTWARE IS PROVIDED "AS IS"')
  })

  it('imports every entry as ESM and as CJS, with the same named exports', async () => {
    const namesOf = `(m) => Object.keys(m).filter((name) => name !== 'default' && name !== 'module.exports').sort()`
    const esm = await node(
      project,
      'imports.mjs',
      `const namesOf = ${namesOf}\nconst found = {}\n` +
        ENTRIES.map(
          (e) => `found[${JSON.stringify(e)}] = namesOf(await import(${JSON.stringify(e)}))\n`,
        ).join('') +
        'console.log(JSON.stringify(found))\n',
    )
    const cjs = await node(
      project,
      'requires.cjs',
      `const namesOf = ${namesOf}\nconst found = {}\n` +
        ENTRIES.map(
          (e) => `found[${JSON.stringify(e)}] = namesOf(require(${JSON.stringify(e)}))\n`,
        ).join('') +
        'console.log(JSON.stringify(found))\n',
    )
    const esmNames = JSON.parse(esm) as Record<string, string[]>
    expect(Object.keys(esmNames)).toEqual(ENTRIES)
    for (const entry of ENTRIES) expect(esmNames[entry], entry).not.toEqual([])
    expect(JSON.parse(cjs)).toEqual(esmNames)
  })

  it('reads its package.json through the exports map', async () => {
    const version = await node(
      project,
      'version.cjs',
      `console.log(require(${JSON.stringify(`${manifest.name}/package.json`)}).version)`,
    )
    expect(version.trim()).toBe(manifest.version)
  })

  it.each(['node16', 'bundler'])(
    'type-checks a consumer of every entry under moduleResolution %s',
    async (resolution) => {
      const checked = join(work, `types-${resolution}`)
      cpSync(project, checked, { recursive: true, verbatimSymlinks: true })
      await installTypesOfPeers(checked)
      const imports = ENTRIES.map(
        (entry, i) =>
          `import * as entry${String(i)} from ${JSON.stringify(entry)}\n` +
          // An entry whose types did not resolve is `any` (or a TS7016 error under strict).
          `export const names${String(i)}: NotAny<typeof entry${String(i)}> = entry${String(i)}\n`,
      ).join('')
      const notAny = 'type NotAny<T> = 0 extends 1 & T ? never : T\n'
      const files = resolution === 'node16' ? ['consumer.mts', 'consumer.cts'] : ['consumer.ts']
      for (const file of files) writeFileSync(join(checked, file), notAny + imports)

      const listed = await run(
        process.execPath,
        [TSC, '-p', `tsconfig.${resolution}.json`, '--listFiles'],
        { cwd: checked },
      ).catch((error: unknown) => {
        const stdout = (error as { stdout?: string }).stdout
        if (stdout === undefined) throw error
        // Only our declarations and the consumer are under test: a peer's own declarations
        // (Next.js's need React's types and more) may fail `skipLibCheck: false` by themselves.
        const ours = stdout
          .split('\n')
          .filter((line) => /error TS/.test(line))
          .filter(
            (line) => line.startsWith(`node_modules/${manifest.name}/`) || /^consumer\./.test(line),
          )
        if (ours.length > 0) throw new Error(`tsc (${resolution}): ${ours.join('\n')}`)
        return { stdout }
      })
      const declarations = listed.stdout
        .split('\n')
        .filter((file) => file.includes(`/node_modules/${manifest.name}/`))
      // node16 reads .d.mts for the ESM file and .d.cts for the CJS one; bundler the import types.
      expect(declarations.some((file) => file.endsWith('.d.mts'))).toBe(true)
      expect(declarations.some((file) => file.endsWith('.d.cts'))).toBe(resolution === 'node16')
    },
    240_000,
  )

  it.each(Object.keys(manifest.bin))('runs the bin: %s --help', async (bin) => {
    const { stdout } = await run(join(project, 'node_modules', '.bin', bin), ['--help'], {
      cwd: project,
    })
    expect(stdout).toMatch(new RegExp(`^Usage: ${bin} `))
  })
})

/**
 * Install the packages the shipped declarations import that the project lacks (an adapter's
 * framework types, say), at the version the repository builds against, so `skipLibCheck: false`
 * checks the declarations themselves rather than failing on a user's missing optional peer.
 */
async function installTypesOfPeers(cwd: string): Promise<void> {
  const dist = join(cwd, 'node_modules', manifest.name, 'dist')
  const specifiers = new Set<string>()
  for (const file of readdirSync(dist).filter((name) => /\.d\.[cm]ts$/.test(name))) {
    for (const [, specifier] of readFileSync(join(dist, file), 'utf8').matchAll(
      /^(?:import|export)[^'"]*from ['"]([^'".][^'"]*)['"]/gm,
    )) {
      specifiers.add(specifier!.startsWith('node:') ? 'node' : packageOf(specifier!))
    }
  }
  const missing: string[] = []
  for (const name of specifiers) {
    for (const candidate of name === 'node' ? ['@types/node'] : [name, `@types/${name}`]) {
      const installed = join(ROOT, 'node_modules', candidate, 'package.json')
      if (!existsSync(installed) || existsSync(join(cwd, 'node_modules', candidate))) continue
      const { version } = JSON.parse(readFileSync(installed, 'utf8')) as { version: string }
      missing.push(`${candidate}@${version}`)
    }
  }
  if (missing.length > 0)
    await run('npm', [...INSTALL, '--no-save', ...missing], { cwd, timeout: 240_000 })
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}
