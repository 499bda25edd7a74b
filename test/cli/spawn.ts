import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from '../helpers/dist.js'

/** The built command line, as the package's `bin` points to it. */
export const CLI = join(ROOT, 'dist', 'cli.mjs')

/** Variables the CLI reads, removed from the inherited environment so tests set them alone. */
const CLI_ENV = /^(CORBADO_|PORT$)/

/** A running `corbado-keepalive` process. */
export interface CliRun {
  readonly child: ChildProcess
  /** Everything written so far. */
  stdout(): string
  stderr(): string
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>
  /** The first JSON log line on stdout whose `msg` is `message`. */
  logLine(message: string, timeoutMs?: number): Promise<Record<string, unknown>>
}

const running = new Set<ChildProcess>()

/**
 * Start the CLI: `node dist/cli.mjs …args`, or `dist/cli.mjs …args` through its shebang with
 * `direct`.
 */
/**
 * `proxy` arguments for a backend at `target` and the fake Frontend API `fake`, listening on a free
 * port of 127.0.0.1, followed by `extra`.
 */
export function proxyArgs(
  target: string,
  fake: { readonly projectId: string; readonly url: string },
  ...extra: string[]
): string[] {
  return [
    'proxy',
    '--target',
    target,
    '--project-id',
    fake.projectId,
    '--frontend-api-url',
    fake.url,
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    ...extra,
  ]
}

export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  direct = false,
): CliRun {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !CLI_ENV.test(name)),
  )
  const child = direct
    ? spawn(CLI, args, { env: { ...inherited, ...env } })
    : spawn(process.execPath, [CLI, ...args], { env: { ...inherited, ...env } })
  running.add(child)
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child)
      resolve(code ?? signal ?? -1)
    })
  })
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async logLine(message, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        for (const line of out.split('\n')) {
          if (!line.startsWith('{')) continue
          const entry = JSON.parse(line) as Record<string, unknown>
          if (entry.msg === message) return entry
        }
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`no log line "${message}"; stdout: ${out}; stderr: ${err}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
  }
}

/** Kill every CLI process a test left running, and wait for each to exit. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => {
            resolve()
          })
          child.kill('SIGKILL')
        }),
    ),
  )
}
