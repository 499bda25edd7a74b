/**
 * The real Next.js app of test/next-app: copied per variant into test-artifacts/, built with
 * `next build` (again only when the app or dist/ changed) and served with `next start`.
 *
 * @module
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '..', '..')
const APP = join(ROOT, 'test', 'next-app')
const NEXT_BIN = join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next')
/** What `dist/next.mjs` is built from: a newer file here means dist/ is stale. */
const PACKAGE_SOURCES = ['src/next.ts', 'src/next', 'src/fetch.ts', 'src/fetch', 'src/core']

/** `proxy.ts` on the Node.js runtime (Next 16), or `middleware.ts` on the Edge runtime. */
export type NextVariant = 'proxy' | 'middleware'

function newestMtime(path: string, skip: ReadonlySet<string> = new Set()): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(
    0,
    ...readdirSync(path)
      .filter((entry) => !skip.has(entry))
      .map((entry) => newestMtime(join(path, entry), skip)),
  )
}

/** Throws, naming the fix, when dist/next.mjs is missing or older than its sources. */
export function assertDistFresh(): void {
  const built = join(ROOT, 'dist', 'next.mjs')
  const newestSource = Math.max(...PACKAGE_SOURCES.map((path) => newestMtime(join(ROOT, path))))
  if (!existsSync(built) || statSync(built).mtimeMs < newestSource) {
    throw new Error(
      'dist/next.mjs is missing or older than src/: the Next.js app imports the built package, run `npm run build` first',
    )
  }
}

/** A built copy of the app. */
export interface BuiltNextApp {
  readonly dir: string
  /** Seconds `next build` took; `undefined` when an up-to-date build was reused. */
  readonly buildSeconds: number | undefined
}

/** Copy the app for `variant` and build it, unless its last build is newer than its inputs. */
export function buildNextApp(variant: NextVariant): Promise<BuiltNextApp> {
  assertDistFresh()
  const dir = join(ROOT, 'test-artifacts', `next-app-${variant}`)
  // Written when a build succeeds: the time it started, so a change made during it counts.
  const stamp = join(dir, '.next', 'build-started-at')
  const inputs = Math.max(
    newestMtime(APP, new Set(['.next', 'node_modules'])),
    newestMtime(join(ROOT, 'dist')),
  )
  if (existsSync(stamp) && Number(readFileSync(stamp, 'utf8')) > inputs) {
    return Promise.resolve({ dir, buildSeconds: undefined })
  }
  const startedAt = Date.now()
  rmSync(dir, { recursive: true, force: true })
  cpSync(APP, dir, {
    recursive: true,
    filter: (source) => !/[\\/](\.next|node_modules|variants)$/.test(source),
  })
  cpSync(join(APP, 'variants', `${variant}.ts`), join(dir, `${variant}.ts`))
  // As `npm install ../..` would link it: the app imports the package through its exports map.
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(ROOT, join(dir, 'node_modules', 'corbado-keepalive'), 'dir')
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NEXT_BIN, 'build'], {
      cwd: dir,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code === 0) {
        writeFileSync(stamp, String(startedAt))
        resolve({ dir, buildSeconds: (performance.now() - started) / 1000 })
      } else {
        reject(new Error(`next build (${variant}) exited with ${String(code)}:\n${output}`))
      }
    })
  })
}

/** A running `next start`. */
export interface RunningNextApp {
  readonly url: string
  /** Everything it wrote so far. */
  output(): string
  close(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve()
    }),
  )
  return port
}

/** `next start` the built app on 127.0.0.1 with `env`, resolved once it answers. */
export async function startNextApp(
  app: BuiltNextApp,
  env: Record<string, string>,
): Promise<RunningNextApp> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    process.execPath,
    [NEXT_BIN, 'start', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: app.dir,
      env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve()
    }),
  )
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited early:\n${output}`)
    try {
      await fetch(`${url}/about`, { signal: AbortSignal.timeout(2000) })
      break
    } catch {
      if (Date.now() > deadline) throw new Error(`next start did not answer:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  return {
    url,
    output: () => output,
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
