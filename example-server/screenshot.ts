/**
 * `npx tsx example-server/screenshot.ts [out.png]`: the screenshot in the README (`docs/demo.png`).
 * Starts the demo with its `npm start` settings, signs in as Ada in headless Chromium, lets the
 * page's poller drive two refreshes, and captures the page.
 */
import { findChromium, launchChromium } from './browser.js'
import { startDemo } from './start.js'

const out = process.argv[2] ?? new URL('../docs/demo.png', import.meta.url).pathname
const chromiumPath = findChromium()
if (chromiumPath === undefined) throw new Error('chromium not found: apt-get install chromium')

const demo = await startDemo()
const browser = await launchChromium(chromiumPath)
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } })
  await page.goto(demo.url)
  await page.getByRole('button', { name: 'Sign in as Ada Lovelace' }).click()
  await page.waitForLoadState()
  const deadline = Date.now() + 60_000
  while (demo.stats().refreshes < 2 && Date.now() < deadline) await page.waitForTimeout(500)
  // Let the poller render the latest counters, then catch the countdown mid-way.
  await page.waitForTimeout(2500)
  await page.screenshot({ path: out, fullPage: true })
  console.log(`wrote ${out} (refreshes: ${demo.stats().refreshes})`)
} finally {
  await browser.close()
  await demo.close()
}
