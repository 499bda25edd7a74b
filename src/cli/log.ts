/**
 * The command line's logger: one JSON object a line, `debug`/`info` to stdout and `warn`/`error`
 * to stderr, below a level. Whatever it receives never holds a token: the keep-alive and gateway
 * log none.
 *
 * @module
 */
import type { Logger } from '../core/types.js'

/** Log levels, most verbose first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const

/** A {@link LOG_LEVELS} value. */
export type LogLevel = (typeof LOG_LEVELS)[number]

/** A {@link Logger} with every level present. */
export type LineLogger = Required<Logger>

/** Where log lines go. */
export interface LogSinks {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
}

/** Create a logger that writes lines at `level` and above. */
export function createLineLogger(level: LogLevel, sinks: LogSinks): LineLogger {
  const threshold = LOG_LEVELS.indexOf(level)
  const at =
    (name: Exclude<LogLevel, 'silent'>, sink: (line: string) => void) =>
    (context: Record<string, unknown>, message: string): void => {
      if (LOG_LEVELS.indexOf(name) < threshold) return
      let line: string
      try {
        line = JSON.stringify({
          time: new Date().toISOString(),
          level: name,
          msg: message,
          ...context,
        })
      } catch {
        line = JSON.stringify({ time: new Date().toISOString(), level: name, msg: message })
      }
      sink(line + '\n')
    }
  return {
    debug: at('debug', sinks.out),
    info: at('info', sinks.out),
    warn: at('warn', sinks.err),
    error: at('error', sinks.err),
  }
}
