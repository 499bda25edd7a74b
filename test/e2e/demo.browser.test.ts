/**
 * The demo in a real browser: Debian's Chromium, driven by playwright-core, proves that browsers
 * accept every cookie the package writes (Secure on http://127.0.0.1, Expires = token `exp`) and
 * that the session survives expiries, a closed tab, and ends when revoked.
 */
import { mkdir } from 'node:fs/promises'
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findChromium, launchChromium } from '../../example-server/browser.js'
import { startDemo } from '../../example-server/start.js'
import type { RunningDemo } from '../../example-server/start.js'

const LIFETIME_SECONDS = 4
const THRESHOLD_SECONDS = 2
const SESSION = 'cbo_session_token'
const REFRESH = 'cbo_refresh_token'
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url)

const chromiumPath = findChromium()
if (chromiumPath === undefined) {
  // A missing browser fails the run with the command that installs it, never skips the test.
  throw new Error(
    'chromium not found (CHROMIUM_PATH unset, none on PATH): run `npm test`, which installs it ' +
      'as root on Debian/Ubuntu, or `sudo apt-get install -y chromium`',
  )
}

describe.each(['express', 'koa'] as const)('the demo (%s) in Chromium', (framework) => {
  let demo: RunningDemo
  let browser: Browser

  beforeAll(async () => {
    demo = await startDemo({
      framework,
      sessionLifetimeSeconds: LIFETIME_SECONDS,
      refreshBeforeExpirySeconds: THRESHOLD_SECONDS,
    })
    browser = await launchChromium(chromiumPath)
  })

  afterAll(async () => {
    await browser.close()
    await demo.close()
  })

  async function cookie(context: BrowserContext, name: string): Promise<Cookie | undefined> {
    return (await context.cookies(demo.url)).find((c) => c.name === name)
  }

  async function signIn(page: Page, name: string): Promise<void> {
    await page.goto(demo.url)
    await page.getByRole('button', { name: `Sign in as ${name}` }).click()
    await page.waitForLoadState()
    expect(await page.getByTestId('user-name').textContent()).toBe(name)
  }

  it('keeps the user signed in across token expiries while navigating', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await signIn(page, 'Ada Lovelace')
    const refreshesBefore = demo.stats().refreshes
    const failuresBefore = failureCount(demo)

    const first = await cookie(context, SESSION)
    expect(first).toMatchObject({ httpOnly: false, secure: true, sameSite: 'Lax', path: '/' })
    expect(await cookie(context, REFRESH)).toMatchObject({ httpOnly: true, secure: true })

    const values = new Set([first!.value])
    const until = Date.now() + (2 * LIFETIME_SECONDS + 2) * 1000
    while (Date.now() < until) {
      await page.waitForTimeout(700)
      await page.goto(demo.url)
      expect(await page.getByTestId('user-name').textContent()).toBe('Ada Lovelace')
      const current = await cookie(context, SESSION)
      // The browser accepted every rewritten cookie: it is never missing, always in the future.
      expect(current).toMatchObject({ httpOnly: false, secure: true, sameSite: 'Lax' })
      expect(current!.expires * 1000).toBeGreaterThan(Date.now())
      values.add(current!.value)
    }

    expect(values.size).toBeGreaterThanOrEqual(3)
    expect(demo.stats().refreshes - refreshesBefore).toBeGreaterThanOrEqual(2)
    expect(failureCount(demo) - failuresBefore).toBe(0)
    expect(Number(await page.getByTestId('refreshes').textContent())).toBeGreaterThanOrEqual(2)
    expect(await page.getByTestId('last-outcome').textContent()).toContain('refreshed')
    await mkdir(ARTIFACTS, { recursive: true })
    await page.screenshot({
      path: new URL(`demo-${framework}.png`, ARTIFACTS).pathname,
      fullPage: true,
    })
    await context.close()
  }, 40_000)

  it('recovers the session from the refresh-token after the session cookie expired', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await signIn(page, 'Alan Turing')
    const before = (await cookie(context, SESSION))!
    await page.close()

    // Chromium drops the session cookie at its Expires, as after a tab closed over lunch.
    const deadline = before.expires * 1000 + 3000
    while ((await cookie(context, SESSION)) !== undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    expect(await cookie(context, SESSION)).toBeUndefined()
    expect(await cookie(context, REFRESH)).toBeDefined()

    const reopened = await context.newPage()
    await reopened.goto(demo.url)
    expect(await reopened.getByTestId('user-name').textContent()).toBe('Alan Turing')
    expect(await reopened.getByTestId('this-request').textContent()).toContain('refreshed')
    const after = await cookie(context, SESSION)
    expect(after).toBeDefined()
    expect(after!.value).not.toBe(before.value)
    expect(after!.expires * 1000).toBeGreaterThan(Date.now())
    await context.close()
  }, 30_000)

  it('ends a revoked session and removes the session cookie from the browser', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await signIn(page, 'Ada Lovelace')
    const endedBefore = demo.stats().sessionsEnded

    await page.getByRole('button', { name: 'Revoke at provider' }).click()
    await page.waitForLoadState()
    // The session-token stays valid until it is due for a refresh; then the provider says 401.
    const anonymous = page.getByRole('heading', { name: 'Not signed in' })
    const deadline = Date.now() + (LIFETIME_SECONDS + 3) * 1000
    while (!(await anonymous.isVisible()) && Date.now() < deadline) {
      await page.waitForTimeout(500)
      await page.goto(demo.url)
    }

    expect(await anonymous.isVisible()).toBe(true)
    expect(await cookie(context, SESSION)).toBeUndefined()
    expect(demo.stats().sessionsEnded).toBeGreaterThan(endedBefore)
    expect(await page.getByTestId('last-outcome').textContent()).toContain('ended')
    await context.close()
  }, 30_000)
})

function failureCount(demo: RunningDemo): number {
  return Object.values(demo.stats().failures).reduce((sum, count) => sum + count, 0)
}
