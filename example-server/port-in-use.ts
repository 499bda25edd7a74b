/**
 * One line instead of a stack trace when a demo's port is taken.
 *
 * @module
 */

/** Whether `error` is a `listen` that failed because another process holds the port. */
export function isPortInUse(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
}

/** Print which port is taken and how to pick another (for `command`), then exit with code 1. */
export function exitPortInUse(port: number, command: string): never {
  console.error(
    `corbado-keepalive demo: port ${String(port)} is already in use; ` +
      `choose another with PORT=<port> ${command} (PORT=0 picks a free one)`,
  )
  process.exit(1)
}
