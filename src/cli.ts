#!/usr/bin/env node
/**
 * The `corbado-keepalive` command (package `bin`):
 * `corbado-keepalive proxy --target <url> --project-id <id> [options]`, a keep-alive reverse
 * proxy in front of any backend. See `corbado-keepalive proxy --help`.
 *
 * @module
 */
import { runCli } from './cli/main.js'

runCli({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  onSignal: (handler) => {
    process.on('SIGTERM', handler)
    process.on('SIGINT', handler)
  },
}).then(
  (code) => {
    process.exitCode = code
    // Whatever still holds the event loop (an idle upstream connection) must not delay the exit.
    setTimeout(() => process.exit(code), 1000).unref()
    if (code !== 0) process.exit(code)
  },
  (error: unknown) => {
    process.stderr.write(
      `corbado-keepalive: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    )
    process.exit(1)
  },
)
