/**
 * `npm run start:sdk` in Chromium: the SDK and the keep-alive agree on the user, also after the
 * closed-tab return, and after `Corbado.logout()` both are anonymous.
 */
import type { Browser, Page } from 'playwright-core'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_ARGS, findChromium } from '../../example-server/browser.js'
import { startSdkDemo } from '../../example-server/sdk-demo.js'
import type { SdkDemo } from '../../example-server/sdk-demo.js'

const chromiumPath = findChromium()
if (chromiumPath === undefined) {
  throw new Error('chromium not found (command -v chromium, CHROMIUM_PATH): install it with apt')
}

describe('the SDK demo (npm run start:sdk) in Chromium', () => {
  let demo: SdkDemo
  let browser: Browser

  beforeAll(async () => {
    demo = await startSdkDemo(0)
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        ...CHROMIUM_ARGS,
        '--host-resolver-rules=MAP *.localhost 127.0.0.1',
        `--ignore-certificate-errors-spki-list=${demo.spki}`,
      ],
    })
  })

  afterAll(async () => {
    await browser.close()
    await demo.close()
  })

  async function shown(page: Page) {
    await page.waitForSelector('body[data-ready="true"]')
    const text = (id: string) => page.getByTestId(id).textContent()
    return {
      server: await text('server-user'),
      sdk: await text('sdk-user'),
      cookies: await text('sdk-cookies'),
      refreshedOnLoad: await text('server-refreshed'),
    }
  }

  it('shows both sides signed in, after the closed-tab return too, and both anonymous after logout', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${demo.url}/`)
    expect(await shown(page)).toMatchObject({ server: 'anonymous', sdk: 'anonymous' })

    await Promise.all([page.waitForEvent('load'), page.click('#login')])
    expect(await shown(page)).toMatchObject({ server: 'usr-1001', sdk: 'usr-1001', cookies: '1' })

    await Promise.all([page.waitForEvent('load'), page.click('#close')])
    expect(await shown(page)).toEqual({
      server: 'usr-1001',
      sdk: 'usr-1001',
      cookies: '1',
      refreshedOnLoad: 'true',
    })

    await page.click('#logout')
    await expect.poll(() => page.getByTestId('server-user').textContent()).toBe('anonymous')
    expect(await page.getByTestId('sdk-user').textContent()).toBe('anonymous')
    await context.close()
  })
})
