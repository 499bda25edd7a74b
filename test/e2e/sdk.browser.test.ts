/**
 * Corbado's real browser SDK (`@corbado/web-js` 3.5.0, its `dist/bundle/index.js`) in Chromium,
 * over HTTPS, against the gateway (with `publicUrl`) and the keep-alive, on Express and Koa.
 * Each scenario logs the requests the page made, in order (`[sdk requests] …`).
 */
import { readFileSync } from 'node:fs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { chromium } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_ARGS, findChromium } from '../../example-server/browser.js'
import { startSdkApp, TEST_DOMAIN } from './sdk/app.js'
import type { SdkApp } from './sdk/app.js'
import { makeCertificate } from '../../example-server/tls.js'

const SESSION = 'cbo_session_token'
const USER = 'usr-4242'

const chromiumPath = findChromium()
if (chromiumPath === undefined) {
  throw new Error('chromium not found (command -v chromium, CHROMIUM_PATH): install it with apt')
}

/** The docs' single-page-app snippet, as written there. */
function docsSnippet(): string {
  const docs = readFileSync(new URL('../../docs/production.md', import.meta.url), 'utf8')
  const block = /<!-- spa-snippet[^>]*-->\s*```html\n([\s\S]*?)```/.exec(docs)?.[1]
  const script = /<script type="module">\n([\s\S]*?)<\/script>/.exec(block ?? '')?.[1]
  if (script === undefined) throw new Error('docs/production.md: spa-snippet not found')
  return script
}

interface SdkState {
  isAuthenticated: boolean
  userId: string | null
  error?: string
}

describe.each(['express', 'koa'] as const)('Corbado web-js 3.5.0 in Chromium (%s)', (framework) => {
  const tls = makeCertificate(TEST_DOMAIN)
  let app: SdkApp
  let browser: Browser

  beforeAll(async () => {
    app = await startSdkApp(framework, tls, docsSnippet())
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        ...CHROMIUM_ARGS,
        `--host-resolver-rules=MAP app.${TEST_DOMAIN} 127.0.0.1, MAP ${app.fake.projectId}.${TEST_DOMAIN} 127.0.0.1`,
        `--ignore-certificate-errors-spki-list=${tls.spki}`,
      ],
    })
  })

  afterAll(async () => {
    await browser.close()
    await app.close()
  })

  const contexts: BrowserContext[] = []
  afterEach(async () => {
    // A page left open would keep its SDK refreshing into the next scenario.
    await Promise.all(contexts.splice(0).map((context) => context.close()))
  })

  /** A fresh browser that records every request it makes. */
  async function session() {
    const context = await browser.newContext()
    contexts.push(context)
    app.fake.resetCalls()
    const requests: string[] = []
    context.on('request', (request) => {
      const url = new URL(request.url())
      const host = url.host.replace(`:${String(app.port)}`, '')
      requests.push(`${request.method()} ${host}${url.pathname}`)
    })
    const page = await context.newPage()
    return { context, page, requests }
  }

  /**
   * Sign in as Corbado would have: the refresh cookie (through the gateway: host-only, `/`).
   * The session-token returned has `secondsLeft`; refreshed ones live 300 s.
   */
  async function signIn(context: BrowserContext, secondsLeft = 300) {
    const tokens = app.fake.login(USER, { sessionLifetimeSeconds: 300 })
    await context.addCookies([
      {
        name: 'cbo_refresh_token',
        value: tokens.refreshToken,
        url: app.origin,
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
      },
    ])
    return {
      ...tokens,
      sessionToken: app.fake.mintSessionToken(USER, { expiresInSeconds: secondsLeft }),
    }
  }

  /** Write the session cookie as the SDK does (`document.cookie`, session-config attributes). */
  async function writeSessionCookieAsSdk(page: Page, token: string) {
    await page.goto(`${app.origin}/static/blank.html`)
    await page.evaluate(
      ([value, domain]) => {
        const expires = new Date(Date.now() + 300_000).toUTCString()
        document.cookie = `cbo_session_token=${value}; domain=${domain}; secure; sameSite=lax; path=/; expires=${expires}`
      },
      [token, `app.${TEST_DOMAIN}`] as const,
    )
  }

  async function sdkState(page: Page): Promise<SdkState> {
    return page.evaluate(() => sdkLoaded)
  }

  async function serverUser(page: Page): Promise<string | null> {
    const answer = await page.evaluate(async () => {
      const response = await fetch('/api/session', { credentials: 'same-origin' })
      return (await response.json()) as { userId: string | null }
    })
    return answer.userId
  }

  async function sessionCookies(context: BrowserContext) {
    return (await context.cookies(app.origin)).filter((cookie) => cookie.name === SESSION)
  }

  /**
   * Log what the page asked for, in order, and what reached the Frontend API (the browser's CORS
   * preflights, which the page's request events leave out, and the keep-alive's own calls).
   */
  function report(name: string, requests: readonly string[]): void {
    const sequence = requests.filter((request) => !request.endsWith('/web-js.js'))
    const upstream = app.fake.calls.map((call) => {
      const from = String(call.headers['user-agent']).includes('Mozilla') ? 'browser' : 'server'
      return `${call.method} ${call.path.split('?', 1)[0] ?? ''} (${from})`
    })
    console.log(
      `[sdk requests] ${framework} / ${name}:\n  page: ${sequence.join('\n        ')}\n` +
        `  Frontend API saw: ${upstream.join('\n                    ')}`,
    )
  }

  const ownHosts = () => [`app.${TEST_DOMAIN}`, `${app.fake.projectId}.${TEST_DOMAIN}`]
  const hostOf = (request: string) => (request.split(' ')[1] ?? '').split('/')[0] ?? ''

  it('a session near expiry is refreshed on the HTML request; the SDK ends signed in as the same user', async () => {
    const { context, page, requests } = await session()
    const tokens = await signIn(context, 30)
    await writeSessionCookieAsSdk(page, tokens.sessionToken)
    const before = app.fake.refreshCount
    await page.goto(`${app.origin}/`)
    expect(await sdkState(page)).toEqual({ isAuthenticated: true, userId: USER })
    expect(app.fake.refreshCount).toBe(before + 1)
    const cookies = await sessionCookies(context)
    expect(cookies).toHaveLength(1)
    expect(cookies[0]?.value).not.toBe(tokens.sessionToken)
    expect(await serverUser(page)).toBe(USER)
    report('near expiry', requests)
    await context.close()
  })

  it('an expired token in the cookie: no request leaves for another host, the SDK ends signed in', async () => {
    const { context, page, requests } = await session()
    await signIn(context)
    await writeSessionCookieAsSdk(page, app.fake.mintSessionToken(USER, { expiresInSeconds: -120 }))
    await page.goto(`${app.origin}/`)
    expect(await sdkState(page)).toEqual({ isAuthenticated: true, userId: USER })
    expect(requests.filter((request) => !ownHosts().includes(hostOf(request)))).toEqual([])
    expect(await sessionCookies(context)).toHaveLength(1)
    report('expired token in the cookie', requests)
    await context.close()
  })

  it('only the refresh cookie left (closed tab): the session is restored', async () => {
    const { context, page, requests } = await session()
    await signIn(context)
    await page.goto(`${app.origin}/`)
    expect(await sdkState(page)).toEqual({ isAuthenticated: true, userId: USER })
    expect(await sessionCookies(context)).toHaveLength(1)
    expect(await serverUser(page)).toBe(USER)
    report('closed tab (refresh cookie only)', requests)
    await context.close()
  })

  it("the SDK's own refresh, with the server not refreshing, goes through the gateway with the refresh cookie", async () => {
    const { context, page, requests } = await session()
    const tokens = await signIn(context, 30)
    await writeSessionCookieAsSdk(page, tokens.sessionToken)
    app.fake.resetCalls()
    // Served without the keep-alive, as from a CDN: only the SDK can refresh.
    await page.goto(`${app.origin}/static/sdk.html`)
    expect(await sdkState(page)).toEqual({ isAuthenticated: true, userId: USER })
    await expect
      .poll(() => app.fake.calls.some((call) => call.path === '/v2/me/refresh'), {
        timeout: 20_000,
        interval: 250,
      })
      .toBe(true)
    const refreshes = app.fake.calls.filter((call) => call.path === '/v2/me/refresh')
    expect(refreshes[0]?.headers.cookie).toContain(`cbo_refresh_token=${tokens.refreshToken}`)
    expect(requests).toContain(`POST app.${TEST_DOMAIN}/.corbado/v2/me/refresh`)
    await expect
      .poll(async () => (await sessionCookies(context))[0]?.value, { timeout: 5000 })
      .not.toBe(tokens.sessionToken)
    expect(await sessionCookies(context)).toHaveLength(1)
    expect(await page.evaluate(() => Corbado.isAuthenticated)).toBe(true)
    expect(await serverUser(page)).toBe(USER)
    report("the SDK's own refresh", requests)
    await context.close()
  }, 40_000)

  it('Corbado.logout() through the gateway: the next server request is anonymous', async () => {
    const { context, page, requests } = await session()
    const tokens = await signIn(context)
    await writeSessionCookieAsSdk(page, tokens.sessionToken)
    await page.goto(`${app.origin}/`)
    expect(await sdkState(page)).toEqual({ isAuthenticated: true, userId: USER })
    expect(await sessionCookies(context)).toHaveLength(1)
    await page.evaluate(() => Corbado.logout())
    expect(requests).toContain(`POST app.${TEST_DOMAIN}/.corbado/v2/me/logout`)
    expect(await serverUser(page)).toBeNull()
    expect(await sessionCookies(context)).toHaveLength(0)
    const refreshCookie = (await context.cookies(app.origin)).find(
      (cookie) => cookie.name === 'cbo_refresh_token',
    )
    expect(refreshCookie).toBeUndefined()
    report('logout', requests)
    await context.close()
  })

  it("a page from a CDN, only the refresh cookie left: the docs' snippet restores the session", async () => {
    const { context, page, requests } = await session()
    await signIn(context)
    await page.goto(`${app.origin}/static/spa.html`)
    expect(await sdkState(page)).toEqual({ isAuthenticated: true, userId: USER })
    expect(await sessionCookies(context)).toHaveLength(1)
    report('single-page app from a CDN, closed tab', requests)
    await context.close()
  })
})

// What the page's scripts see, for the callbacks run there (the tests build without DOM types).
declare global {
  /** Set by the SDK's bundle. */
  var Corbado: { isAuthenticated?: boolean; logout(): Promise<void> }
  /** Set by the test page: the SDK's state once `Corbado.load()` settled. */
  var sdkLoaded: Promise<SdkState>
  var document: { cookie: string }
}
