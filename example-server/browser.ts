/**
 * Launching Debian's Chromium through playwright-core, for the browser test and the screenshot
 * script. Never downloads a browser: the binary comes from the system (`apt-get install chromium`).
 *
 * @module
 */
import { execFileSync } from 'node:child_process'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'

/**
 * Chromium's flags besides `--headless` (which `headless: true` adds). Without the networking
 * ones Chromium keeps calling Google's hosts, which a closed network refuses. Playwright starts
 * each launch with a fresh temporary `--user-data-dir`.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** The Chromium binary: `$CHROMIUM_PATH`, else `command -v chromium`; `undefined` when absent. */
export function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH
  if (configured !== undefined && configured !== '') return configured
  try {
    const found = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim()
    return found === '' ? undefined : found
  } catch {
    return undefined
  }
}

/** Launch headless Chromium from `executablePath`. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] })
}
