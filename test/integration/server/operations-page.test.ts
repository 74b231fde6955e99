// The Operations page without a browser (app.inject): security headers, the session cookie and
// its flags, escaping, who sees what, the login link, and the API read with the session. The
// browser test (test/e2e/operations-page.test.ts) drives the live parts in Chromium.
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {buildApp} from '../../../src/server/app.js'
import {Metrics} from '../../../src/server/metrics.js'
import {CONTENT_SECURITY_POLICY} from '../../../src/server/ui/routes.js'
import {type TestApp, buildTestApp, tempDir} from '../../helpers/server.js'

const dir = tempDir('ui')
let t: TestApp

const worker = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  version: 'v1beta',
  type: 'worker',
  ...extra,
  worker: {stack: 'node', compute: 'runnable-default', dryRun: true, stackSpec: {source: 'x'}},
})

/** Logs in through the form: the session cookie (name=value). */
async function login(who: string): Promise<string> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/ui/login',
    headers: {'content-type': 'application/x-www-form-urlencoded'},
    payload: `apiKey=${encodeURIComponent(t.keys[who]!)}`,
  })
  expect(r.statusCode).toBe(303)
  return String(r.headers['set-cookie']).split(';')[0]!
}

const page = (url: string, cookie?: string, headers: Record<string, string> = {}) =>
  t.app.inject({method: 'GET', url, headers: {...(cookie ? {cookie} : {}), ...headers}})

beforeAll(async () => {
  t = await buildTestApp(dir)
  for (const [who, ws, manifest] of [
    ['alice', 'public', worker('steady', {description: '<script>alert("x")</script> & <b>bold</b>'})],
    ['alice', 'public', worker('tagged', {tags: ['<i>t</i>']})],
    ['carol', 'team', worker('theirs')],
  ] as const) {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/apply',
      headers: t.auth(who),
      payload: {manifest, workspace: ws},
    })
    expect(r.statusCode, r.body).toBe(200)
  }
})
afterAll(async () => {
  await t.close()
})

describe('the Operations page', () => {
  it('sends a browser without a session to the login form, served with a strict CSP and no inline script or style', async () => {
    const home = await page('/')
    expect(home.statusCode).toBe(303)
    expect(home.headers.location).toBe('/ui/login')
    const form = await page('/ui/login')
    expect(form.statusCode).toBe(200)
    expect(form.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe')
    expect(form.headers['x-frame-options']).toBe('DENY')
    expect(form.headers['cache-control']).toBe('no-store')
    for (const tag of form.body.match(/<script[^>]*>/g) ?? []) expect(tag).toMatch(/ src="\/ui\/assets\//)
    expect(form.body).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i)
    expect(form.body).toContain('<label for="apiKey">API key</label>')
  })

  it('opens a session from a valid key only: an HttpOnly, SameSite=Strict cookie, Secure under TLS', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/ui/login',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      payload: 'apiKey=drv_0000000000000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    })
    expect(bad.statusCode).toBe(401)
    expect(bad.headers['set-cookie']).toBeUndefined()
    expect(bad.body).toContain('That API key is not valid.')
    const good = await t.app.inject({
      method: 'POST',
      url: '/ui/login',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      payload: `apiKey=${t.keys.alice}`,
    })
    expect(good.statusCode).toBe(303)
    expect(String(good.headers['set-cookie'])).toMatch(
      /^drover_session=[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/,
    )
    // Another site's form is refused.
    const forged = await t.app.inject({
      method: 'POST',
      url: '/ui/login',
      headers: {'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example', host: 'localhost'},
      payload: `apiKey=${t.keys.alice}`,
    })
    expect(forged.statusCode).toBe(403)
    // Under TLS the cookie is Secure.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      {stdio: 'ignore'},
    )
    const tls = buildApp({
      store: t.store,
      service: t.service,
      metrics: new Metrics(),
      version: 'test',
      logger: false,
      bodyLimit: 1024 * 1024,
      notReady: () => undefined,
      https: {cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem'))},
    })
    const secure = await tls.inject({
      method: 'POST',
      url: '/ui/login',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
      payload: `apiKey=${t.keys.alice}`,
    })
    expect(String(secure.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Max-Age=28800; Secure$/)
    await tls.close()
  })

  it('shows each user the workers of their workspaces only, and escapes every value', async () => {
    const alice = await page('/', await login('alice'))
    expect(alice.statusCode).toBe(200)
    expect(alice.body).toContain('<a href="/ui/workers/public/steady">steady</a>')
    expect(alice.body).not.toContain('theirs')
    const carol = await page('/', await login('carol'))
    expect(carol.body).toContain('<a href="/ui/workers/team/theirs">theirs</a>')
    expect(carol.body).not.toContain('steady')
    // A filter value is given back escaped.
    const filtered = await page('/?name=%22%3E%3Cscript%3E', await login('alice'))
    expect(filtered.body).toContain('value="&quot;&gt;&lt;script&gt;"')
    expect(filtered.body).toContain('No worker to show.')
    // By tag and by status (the STATUS or the RUNTIME word).
    const byTag = await page('/?tag=%3Ci%3Et%3C%2Fi%3E&fragment=1', await login('alice'))
    expect([...byTag.body.matchAll(/<tr data-name="([^"]+)"/g)].map((m) => m[1])).toEqual(['tagged'])
    const dry = await page('/?status=dry-run&fragment=1', await login('alice'))
    expect([...dry.body.matchAll(/<tr data-name="([^"]+)"/g)].map((m) => m[1])).toEqual(['steady', 'tagged'])
    const failing = await page('/?status=error&fragment=1', await login('alice'))
    expect(failing.body).toContain('No worker to show.')
    // The manifest's free text, on the worker's page.
    const steady = await page('/ui/workers/public/steady', await login('bob'))
    expect(steady.statusCode).toBe(200)
    expect(steady.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;')
    expect(steady.body).not.toContain('<script>alert')
    expect(steady.body).not.toContain('<b>bold')
    // Someone else's workspace: 403, as a page.
    const theirs = await page('/ui/workers/team/theirs', await login('bob'))
    expect(theirs.statusCode).toBe(403)
    expect(theirs.headers['content-type']).toContain('text/html')
    const missing = await page('/ui/workers/public/nope', await login('bob'))
    expect(missing.statusCode).toBe(404)
  })

  it('never shows a credential: a worker’s runAsApiKey is masked on its page', async () => {
    const manifest = {
      ...worker('acting'),
      worker: {...worker('acting').worker, runAsUser: 'admin', runAsApiKey: t.keys.admin},
    }
    const applied = await t.app.inject({
      method: 'POST',
      url: '/api/v1/apply',
      headers: t.auth('admin'),
      payload: {manifest, workspace: 'ops'},
    })
    expect(applied.statusCode, applied.body).toBe(200)
    const acting = await page('/ui/workers/ops/acting', await login('admin'))
    expect(acting.statusCode).toBe(200)
    expect(acting.body).toContain('runAsApiKey:')
    expect(acting.body).not.toContain(t.keys.admin!)
  })

  it('serves live parts with an ETag (304 when unchanged), and 401 to a refresh without a session', async () => {
    const cookie = await login('alice')
    const first = await page('/?fragment=1', cookie)
    expect(first.statusCode).toBe(200)
    expect(first.body).toMatch(/^<section aria-labelledby="ws-public">/)
    const again = await page('/?fragment=1', cookie, {'if-none-match': String(first.headers.etag)})
    expect(again.statusCode).toBe(304)
    expect((await page('/?fragment=1')).statusCode).toBe(401)
    // gzip when asked for.
    const gz = await page('/', cookie, {'accept-encoding': 'gzip, deflate, br'})
    expect(gz.headers['content-encoding']).toBe('gzip')
  })

  it('lets the session read the API, never write it', async () => {
    const cookie = await login('alice')
    const history = await page('/api/v1/resources/worker/steady/history?workspace=public', cookie)
    expect(history.statusCode).toBe(200)
    expect(history.json()).toEqual({requests: {}, limits: {}, points: []})
    const write = await t.app.inject({
      method: 'POST',
      url: '/api/v1/apply',
      headers: {cookie, 'content-type': 'application/json'},
      payload: {manifest: worker('sneaky'), workspace: 'public'},
    })
    expect(write.statusCode).toBe(401)
    expect(
      (await page('/api/v1/resources/worker/steady?workspace=public', 'drover_session=forged.value')).statusCode,
    ).toBe(401)
  })

  it('ends a session whose key is revoked, and after logout', async () => {
    const cookie = await login('carol')
    expect((await page('/', cookie)).statusCode).toBe(200)
    const rotated = await t.app.inject({method: 'POST', url: '/api/v1/users/carol/keys', headers: t.auth('admin')})
    expect(rotated.statusCode, rotated.body).toBe(200)
    t.keys.carol = String(rotated.json().apiKey)
    const after = await page('/', cookie)
    expect(after.statusCode).toBe(303)
    expect(after.headers.location).toBe('/ui/login')
    const out = await t.app.inject({method: 'POST', url: '/ui/logout', headers: {cookie: await login('carol')}})
    expect(out.statusCode).toBe(303)
    expect(String(out.headers['set-cookie'])).toMatch(
      /^drover_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/,
    )
  })

  it('logs in once with a login link (drover dashboard), then never again', async () => {
    const made = await t.app.inject({method: 'POST', url: '/api/v1/login-tokens', headers: t.auth('bob')})
    expect(made.statusCode, made.body).toBe(200)
    const {path} = made.json() as {path: string}
    expect(path).toMatch(/^\/ui\/login\?token=[\w-]+\.[\w-]+$/)
    const used = await page(path)
    expect(used.statusCode).toBe(303)
    const cookie = String(used.headers['set-cookie']).split(';')[0]!
    expect((await page('/', cookie)).body).toContain('signed in as <strong>bob</strong>')
    const again = await page(path)
    expect(again.statusCode).toBe(401)
    expect(again.body).toContain('expired or was used already')
  })

  it('serves its assets from the package, uPlot included, with ETags', async () => {
    for (const [file, type] of [
      ['app.js', 'text/javascript'],
      ['style.css', 'text/css'],
      ['uPlot.iife.min.js', 'text/javascript'],
    ]) {
      const r = await page(`/ui/assets/${file}`)
      expect(r.statusCode).toBe(200)
      expect(r.headers['content-type']).toContain(type)
      expect((await page(`/ui/assets/${file}`, undefined, {'if-none-match': String(r.headers.etag)})).statusCode).toBe(
        304,
      )
    }
    expect((await page('/favicon.ico')).headers['content-type']).toBe('image/svg+xml')
    expect((await page('/ui/assets/..%2Fpackage.json')).statusCode).toBe(404)
  })
})
