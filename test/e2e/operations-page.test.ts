// The Operations page in a real headless Chromium (test/helpers/browser.ts) against the real
// control plane process and real replicas: log in, watch workers appear and crash-loop, a log
// line arrive live, the replica chart draw, log out; a read-only user; a workspace of 1,000
// workers. Screenshots go to .vitest/screenshots. Skipped with one loud line without Chromium.
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import type {Browser, Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {apply, call, createUser, nodeWorker} from '../helpers/api.js'
import {chromiumAvailable, launchChromium} from '../helpers/browser.js'
import {ROOT} from '../helpers/run-cli.js'
import {FAST, type ServerProcess, startServerProcess, tempDir} from '../helpers/server.js'
import {waitFor} from '../helpers/wait.js'

const SHOTS = join(ROOT, '.vitest', 'screenshots')
const home = tempDir('page')
let server: ServerProcess
let browser: Browser | undefined

async function logIn(page: Page, key: string) {
  await page.goto(`${server.url}/`)
  await page.waitForURL(/\/ui\/login$/)
  await page.getByLabel('API key').fill(key)
  await page.getByRole('button', {name: 'Log in'}).click()
  await page.waitForURL(`${server.url}/`)
}

describe.skipIf(!chromiumAvailable)('the Operations page in Chromium', () => {
  let readerKey = ''

  beforeAll(async () => {
    mkdirSync(SHOTS, {recursive: true})
    server = await startServerProcess({home, env: FAST})
    readerKey = await createUser(server, 'reader', [{workspace: 'team', access: 'read'}])
    const ticker = nodeWorker('ticker', "let i = 0; setInterval(() => console.log('tick ' + ++i), 150)", {
      replicas: 2,
      resources: {requests: {cpu: '100m', memory: '64Mi'}, limits: {memory: '256Mi'}},
    })
    expect((await apply(server, ticker)).status).toBe(200)
    expect(
      (await apply(server, nodeWorker('quiet', 'setInterval(() => {}, 1000)', {dryRun: true}), {workspace: 'team'}))
        .status,
    ).toBe(200)
    browser = await launchChromium()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('logs in, shows workers live, a crash loop, a live log line and the replica chart, then logs out', async () => {
    const context = await browser!.newContext()
    const page = await context.newPage()
    const problems: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text())
    })
    page.on('pageerror', (e) => problems.push(e.message))
    await logIn(page, server.adminKey)
    const row = (name: string) => page.locator(`tr[data-name="${name}"]`)
    await row('ticker').waitFor()
    await expect.poll(() => row('ticker').locator('td').nth(4).textContent(), {timeout: 15_000}).toBe('running:2/2')
    await page.screenshot({path: join(SHOTS, 'overview.png'), fullPage: true})

    // A worker applied meanwhile appears, and its crash loop shows, without a reload.
    const crashy = nodeWorker('crashy', 'setTimeout(() => process.exit(3), 50)')
    expect((await apply(server, crashy)).status).toBe(200)
    await row('crashy').waitFor({timeout: 15_000})
    await expect
      .poll(() => row('crashy').locator('td').nth(4).textContent(), {timeout: 30_000})
      .toMatch(/^crashlooping:0\/1/)
    expect(await row('crashy').locator('.status-crashlooping').count()).toBe(1)

    // The worker's page: a log line arrives live, the chart draws.
    await page.getByRole('link', {name: 'ticker'}).click()
    await page.waitForURL(/\/ui\/workers\/public\/ticker$/)
    const log = page.locator('pre.log')
    const seen = await waitFor('a tick in the log', async () => {
      const m = /tick (\d+)/g.exec((await log.textContent()) ?? '')
      return m ? Number(m[1]) : undefined
    })
    await expect
      .poll(
        async () =>
          Math.max(...[...((await log.textContent()) ?? '').matchAll(/tick (\d+)/g)].map((m) => Number(m[1]))),
        {timeout: 10_000},
      )
      .toBeGreaterThan(seen + 2)
    const chart = page.locator('.chart[data-chart="replicas"]')
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), {timeout: 20_000}).toBeGreaterThan(1)
    expect(await chart.locator('canvas').count()).toBe(1)
    expect(await page.locator('.chart[data-chart="memory"] canvas').count()).toBe(1)
    await page.screenshot({path: join(SHOTS, 'worker.png'), fullPage: true})
    // Scrolled up, the log holds new lines until the reader comes back down.
    await log.evaluate((el) => {
      el.scrollTop = 0
      el.dispatchEvent(new Event('scroll'))
    })
    await expect
      .poll(() => page.locator('.log-state').textContent(), {timeout: 10_000})
      .toMatch(/^paused: \d+ new lines?$/)
    await page.getByRole('button', {name: 'Resume following'}).click()
    await expect.poll(() => page.locator('.log-state').textContent()).toBe('')

    // Log out: the session is gone.
    await page.getByRole('button', {name: 'Log out'}).click()
    await page.waitForURL(/\/ui\/login$/)
    await page.goto(`${server.url}/`)
    await page.waitForURL(/\/ui\/login$/)
    expect(problems).toEqual([])
    await context.close()
  }, 120_000)

  it('renders a description with HTML in it as text', async () => {
    const manifest = {
      ...nodeWorker('marked', 'x', {dryRun: true}),
      description: '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>',
    }
    expect((await apply(server, manifest)).status).toBe(200)
    const context = await browser!.newContext()
    const page = await context.newPage()
    await logIn(page, server.adminKey)
    await page.goto(`${server.url}/ui/workers/public/marked`)
    const text = (await page.locator('pre.manifest').textContent()) ?? ''
    expect(text).toContain('<script>document.title')
    expect(text).toMatch(/<img src=x\s+onerror=/)
    expect(await page.locator('main img').count()).toBe(0)
    expect(await page.title()).toBe('marked (public) · drover')
    await context.close()
  })

  it('shows a read-only user only the workspaces it may read', async () => {
    const context = await browser!.newContext()
    const page = await context.newPage()
    await logIn(page, readerKey)
    await page.locator('tr[data-name="quiet"]').waitFor()
    expect(await page.locator('tr[data-name="ticker"]').count()).toBe(0)
    expect(await page.locator('h2').allTextContents()).toEqual(['Workspace team 1 worker'])
    await page.screenshot({path: join(SHOTS, 'reader.png'), fullPage: true})
    await context.close()
  })

  it('loads a workspace of 1,000 workers in under 100 KB, every row rendered', async () => {
    for (let start = 0; start < 1000; start += 100)
      await Promise.all(
        Array.from({length: 100}, async (_, i) => {
          const r = await apply(server, nodeWorker(`w-${String(start + i).padStart(4, '0')}`, 'x', {dryRun: true}), {
            workspace: 'many',
          })
          expect(r.status).toBe(200)
        }),
      )
    // Logged in elsewhere, then a first load with nothing cached: the page, its script and style.
    const login = await browser!.newContext()
    await logIn(await login.newPage(), server.adminKey)
    const context = await browser!.newContext()
    await context.addCookies(await login.cookies())
    await login.close()
    const page = await context.newPage()
    let bytes = 0
    const sizes: Promise<void>[] = []
    page.on('requestfinished', (request) => {
      sizes.push(
        request.sizes().then((s) => {
          bytes += s.responseBodySize + s.responseHeadersSize
        }),
      )
    })
    const started = Date.now()
    await page.goto(`${server.url}/`, {waitUntil: 'load'})
    await page.locator('tr[data-name="w-0999"]').waitFor()
    const ms = Date.now() - started
    await Promise.all(sizes)
    expect(await page.locator('#live tbody tr').count()).toBe(1000 + 4)
    expect(bytes, 'bytes transferred by the first load').toBeLessThan(100 * 1024)
    console.log(
      `operations page: 1,004 workers, first load ${Math.round(bytes / 1024)} KB transferred, rendered in ${ms} ms`,
    )
    const r = await call(server, 'GET', '/api/v1/whoami')
    expect(r.status).toBe(200)
    await context.close()
  }, 120_000)
})
