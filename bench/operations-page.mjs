// The Operations page with a workspace of 1,000 workers, in headless Chromium (Debian's, driven
// by playwright-core): from navigation to the last row in the DOM, and the bytes a first load
// transfers (nothing cached). Baseline in the same run: the very same HTML (the page as drover
// served it, gzipped the same) from a bare node:http server, so the ratio is what drover's
// rendering and serving add. Targets (issue 12): first load under 100 KB, rendered under 1 s.
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {adminKey, median, table} from './lib.mjs'
import {startProcess} from './server.mjs'

const WORKERS = 1000
const ROUNDS = 9

export async function operationsPage({root}) {
  const {chromium} = await import('playwright-core')
  const dir = mkdtempSync(join(tmpdir(), 'drover-bench-page-'))
  const node = join(root, 'node_modules/.bin/node')
  const drover = await startProcess(
    node,
    [join(root, 'dist/server/main.js'), '--port', '0', '--log-level', 'warn'],
    {DROVER_DATA_DIR: join(dir, 'data'), DROVER_CONFIG_DIR: join(dir, 'config'), DROVER_READY_FD: '3'},
    true,
  )
  const url = drover.info.url
  const key = await adminKey(root, dir)
  let bare
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-sync'],
  })
  try {
    for (let start = 0; start < WORKERS; start += 100)
      await Promise.all(
        Array.from({length: 100}, async (_, i) => {
          const r = await fetch(`${url}/api/v1/apply`, {
            method: 'POST',
            headers: {authorization: `Bearer ${key}`, 'content-type': 'application/json'},
            body: JSON.stringify({
              workspace: 'many',
              manifest: {
                name: `w-${String(start + i).padStart(4, '0')}`,
                version: 'v1beta',
                type: 'worker',
                worker: {stack: 'node', compute: 'runnable-default', dryRun: true, stackSpec: {source: 'x'}},
              },
            }),
          })
          if (!r.ok) throw new Error(`apply failed: ${r.status}`)
        }),
      )
    const login = await fetch(`${url}/ui/login`, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      body: `apiKey=${encodeURIComponent(key)}`,
      redirect: 'manual',
    })
    const [name, value] = login.headers.get('set-cookie').split(';')[0].split('=')
    const html = await (await fetch(`${url}/`, {headers: {cookie: `${name}=${value}`}})).text()
    // The baseline: the same page and the same assets, from a bare server (same gzip).
    const assets = new Map()
    for (const path of ['/ui/assets/style.css', '/ui/assets/app.js', '/favicon.ico'])
      assets.set(path, Buffer.from(await (await fetch(`${url}${path}`)).arrayBuffer()))
    const page = gzipSync(html)
    bare = createServer((req, res) => {
      const path = req.url.split('?')[0]
      if (path === '/') return res.writeHead(200, {'content-type': 'text/html', 'content-encoding': 'gzip'}).end(page)
      const asset = assets.get(path)
      if (!asset) return res.writeHead(404).end()
      const type = path.endsWith('.css') ? 'text/css' : path.endsWith('.js') ? 'text/javascript' : 'image/svg+xml'
      res.writeHead(200, {'content-type': type, 'content-encoding': 'gzip'}).end(gzipSync(asset))
    })
    await new Promise((resolve) => bare.listen(0, '127.0.0.1', resolve))
    const bareUrl = `http://127.0.0.1:${bare.address().port}`

    /** One cold load (a new browser context: nothing cached): ms to the last row, bytes transferred. */
    const load = async (base, cookie) => {
      const context = await browser.newContext()
      if (cookie) await context.addCookies([{name, value, url: base}])
      const tab = await context.newPage()
      let bytes = 0
      const sizes = []
      tab.on('requestfinished', (request) =>
        sizes.push(request.sizes().then((s) => (bytes += s.responseBodySize + s.responseHeadersSize))),
      )
      const started = performance.now()
      await tab.goto(`${base}/`)
      await tab.locator(`tr[data-name="w-${String(WORKERS - 1).padStart(4, '0')}"]`).waitFor()
      const ms = performance.now() - started
      await Promise.all(sizes)
      await context.close()
      return {ms, bytes}
    }
    const runs = {drover: [], bare: []}
    await load(url, true)
    await load(bareUrl, false)
    for (let i = 0; i < ROUNDS; i++) {
      runs.drover.push(await load(url, true))
      runs.bare.push(await load(bareUrl, false))
    }
    const summary = (list) => ({ms: median(list.map((r) => r.ms)), bytes: median(list.map((r) => r.bytes))})
    const d = summary(runs.drover)
    const b = summary(runs.bare)
    const rows = [
      ['drover: the Operations page', d.ms.toFixed(0), (d.bytes / 1024).toFixed(1), (d.ms / b.ms).toFixed(2)],
      ['bare node:http, the same HTML and assets', b.ms.toFixed(0), (b.bytes / 1024).toFixed(1), '1.00'],
    ]
    return {
      title: `Operations page, a workspace of ${WORKERS.toLocaleString('en')} workers, cold load in headless Chromium (median of ${ROUNDS} interleaved loads; ms from navigation to the last row)`,
      text: table(rows, ['page', 'ms', 'KB transferred', '× bare']),
      checks: [
        {
          name: 'first load under 100 KB transferred',
          ok: d.bytes < 100 * 1024,
          value: `${(d.bytes / 1024).toFixed(1)} KB`,
        },
        {
          name: `${WORKERS.toLocaleString('en')} workers rendered in under 1 s`,
          ok: d.ms < 1000,
          value: `${d.ms.toFixed(0)} ms`,
        },
      ],
    }
  } finally {
    await browser.close()
    bare?.close()
    drover.child.kill('SIGTERM')
    await new Promise((resolve) => drover.child.once('exit', resolve))
    rmSync(dir, {recursive: true, force: true})
  }
}
