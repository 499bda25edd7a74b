/**
 * What `corbado-keepalive` does with its command line: print help, report a usage error, or run
 * the proxy until SIGTERM/SIGINT.
 *
 * @module
 */
import { InvalidOptionError } from '../core/errors.js'
import { parseCommandLine, usageErrorOfOption, UsageError } from './args.js'
import type { Command } from './args.js'
import { createLineLogger } from './log.js'
import { startProxy } from './proxy-server.js'

/** Exit codes. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 })

/** What the command line touches of the process, so it can be driven from tests. */
export interface CliProcess {
  readonly argv: readonly string[]
  readonly env: Readonly<Record<string, string | undefined>>
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** Call `handler` once per SIGTERM/SIGINT. */
  readonly onSignal: (handler: (signal: NodeJS.Signals) => void) => void
}

/**
 * Run the command line. Resolves with the exit code: at once for `--help` and errors, after a
 * graceful shutdown for `proxy`.
 */
export async function runCli(io: CliProcess): Promise<number> {
  let command: Command
  try {
    command = parseCommandLine(io.argv, io.env)
  } catch (error) {
    return usage(io, error)
  }
  if (command.kind === 'help') {
    io.stdout(command.text)
    return EXIT.ok
  }
  const { config } = command
  const logger = createLineLogger(config.logLevel, { out: io.stdout, err: io.stderr })
  let proxy: Awaited<ReturnType<typeof startProxy>>
  try {
    proxy = await startProxy(config, logger)
  } catch (error) {
    if (error instanceof InvalidOptionError) return usage(io, usageErrorOfOption(error))
    if (error instanceof UsageError) return usage(io, error)
    logger.error(
      { code: (error as NodeJS.ErrnoException).code, error: String(error) },
      'corbado-keepalive: the proxy could not start',
    )
    return EXIT.failed
  }
  logger.info(
    {
      url: proxy.url,
      target: config.target.origin,
      gatewayPath: config.gatewayPath,
      healthPath: config.healthPath,
    },
    'corbado-keepalive: proxy listening',
  )
  return new Promise<number>((resolve) => {
    let stopping = false
    io.onSignal((signal) => {
      if (stopping) {
        logger.warn({ signal }, 'corbado-keepalive: second signal, stopping now')
        resolve(EXIT.failed)
        return
      }
      stopping = true
      logger.info(
        { signal, graceMs: config.shutdownTimeoutMs },
        'corbado-keepalive: shutting down, letting in-flight requests finish',
      )
      void proxy.close(config.shutdownTimeoutMs).then(() => {
        logger.info({}, 'corbado-keepalive: stopped')
        resolve(EXIT.ok)
      })
    })
  })
}

function usage(io: CliProcess, error: unknown): number {
  if (!(error instanceof UsageError)) throw error
  io.stderr(
    `corbado-keepalive: ${error.message}\nRun "corbado-keepalive proxy --help" for usage.\n`,
  )
  return EXIT.usage
}
