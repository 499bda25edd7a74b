import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Miniflare } from 'miniflare'
import type { KeepAliveStats } from '../../../src/index.js'
import { bundleForWeb } from '../bundle.js'
import { wrap } from './harness.js'
import type { FrameworkHarness } from './harness.js'

/** A runtime serving the test worker on 127.0.0.1. */
interface RunningRuntime {
  readonly url: string
  stop(): Promise<void>
}

const WORKER_ENTRY = fileURLToPath(new URL('../../runtimes/worker.ts', import.meta.url))
const require = createRequire(import.meta.url)

let bundled: Promise<string> | undefined

/** The test worker bundled once per test file: one ESM file, no Node built-in. */
function workerBundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'corbado-keepalive-runtime-'))
    const file = join(dir, 'worker.mjs')
    await bundleForWeb(WORKER_ENTRY, file)
    return file
  })()
  return bundled
}

/**
 * The harness for a runtime in another process, serving the test worker (the shared routes behind
 * the fetch adapter). Its process starts on the first app of a describe block and serves every
 * test's app (options go over as JSON); {@link FrameworkHarness.stop} ends it.
 *
 * Options holding functions (hooks, logger, getRefreshToken) cannot cross the process boundary:
 * `start` rejects them, naming the option, so no scenario silently runs without one.
 */
export function runtimeHarness(
  name: string,
  launch: (bundle: string) => Promise<RunningRuntime>,
): FrameworkHarness {
  let running: Promise<RunningRuntime> | undefined
  return {
    name,
    async start(options, context = {}) {
      const functions = Object.entries(options).filter(([, v]) => typeof v === 'function')
      if (functions.length > 0 || Object.keys(context).length > 0) {
        const names = [...functions.map(([key]) => key), ...Object.keys(context)].join(', ')
        throw new Error(`${name} runs in another process: it cannot receive ${names}`)
      }
      running ??= workerBundle().then(launch)
      const runtime = await running
      const configured = await fetch(`${runtime.url}/__configure`, {
        method: 'POST',
        body: JSON.stringify(options),
      })
      if (configured.status !== 204) {
        throw new Error(
          `${name}: /__configure answered ${configured.status}: ${await configured.text()}`,
        )
      }
      return wrap({ url: runtime.url, close: () => Promise.resolve() }, async () => {
        const response = await fetch(`${runtime.url}/__stats`)
        return (await response.json()) as KeepAliveStats
      })
    },
    async stop() {
      const runtime = running
      running = undefined
      await (await runtime)?.stop()
    },
  }
}

/** Spawn `command`, wait for its `LISTENING <port>` line; it exits when its stdin closes. */
async function spawnServer(command: string, args: string[]): Promise<RunningRuntime> {
  const child: ChildProcess = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] })
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const lines = createInterface({ input: child.stdout! })
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => {
      reject(new Error(`${command} exited with ${String(code)} before listening`))
    })
    lines.on('line', (line) => {
      const match = /^LISTENING (\d+)$/.exec(line)
      if (match) resolve(match[1]!)
    })
  })
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      process.off('exit', killOnExit)
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.stdin!.end()
      child.kill('SIGTERM')
      await exited
    },
  }
}

/** A launcher module next to the bundle, importing it. */
async function launcher(bundle: string, file: string, source: string): Promise<string> {
  const path = join(bundle, '..', file)
  await writeFile(path, `import worker from './worker.mjs'\n${source}`)
  return path
}

/** Bun, from the `bun` package. */
export async function launchBun(bundle: string): Promise<RunningRuntime> {
  const path = await launcher(
    bundle,
    'bun-server.mjs',
    `const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch: (request, server) => worker.fetch(request, { clientAddress: server.requestIP(request)?.address }),
})
console.log('LISTENING ' + server.port)
for await (const _ of Bun.stdin.stream()) {}
process.exit(0)
`,
  )
  return spawnServer(binaryOf('bun', 'bin/bun.exe'), ['run', path])
}

/** Deno, from the `deno` package: network access to loopback only. */
export async function launchDeno(bundle: string): Promise<RunningRuntime> {
  const path = await launcher(
    bundle,
    'deno-server.mjs',
    `Deno.serve(
  { hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log('LISTENING ' + port) },
  (request, info) => worker.fetch(request, { clientAddress: info.remoteAddr.hostname }),
)
for await (const _ of Deno.stdin.readable) {}
Deno.exit(0)
`,
  )
  return spawnServer(binaryOf('deno', 'deno'), [
    'run',
    '--quiet',
    '--no-prompt',
    '--allow-net=127.0.0.1',
    path,
  ])
}

/** workerd through Miniflare, without `nodejs_compat`: Web APIs only. */
export async function launchWorkerd(bundle: string): Promise<RunningRuntime> {
  const mf = new Miniflare({
    // Listed, not traced: Miniflare refuses the core's guarded `import('@opentelemetry/api')`
    // while tracing, where workerd itself rejects it at run time and the core goes on without.
    modules: [{ type: 'ESModule', path: bundle, contents: await readFile(bundle, 'utf8') }],
    modulesRoot: dirname(bundle),
    compatibilityDate: '2025-09-01',
    host: '127.0.0.1',
    port: 0,
  })
  const url = await mf.ready
  return { url: url.origin, stop: () => mf.dispose() }
}

/** The path of a package's binary (npx would add a process and a lookup per start). */
function binaryOf(pkg: string, bin: string): string {
  return join(require.resolve(`${pkg}/package.json`), '..', bin)
}
