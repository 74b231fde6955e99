// The Operations page's routes (decision 0016), on the control plane's own Fastify app: the
// pages, login and logout, and the assets, served from the package (no CDN: it works offline).
// Pages read through the same ResourceService calls as the API's routes, with the session's
// caller: the page has exactly the permissions of the API key it was opened with.
import {createHash} from 'node:crypto'
import {gzipSync} from 'node:zlib'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import type {FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'
import type {ResourceObject} from '../../api/types.js'
import {packageRoot} from '../../lib/package-root.js'
import {authenticate, type Caller} from '../auth.js'
import {ApiError} from '../errors.js'
import type {ResourceService} from '../resource-service.js'
import type {Html} from './html.js'
import {type Filter, errorPage, loginPage, matches, overviewPage, workerPage, workerPart, workersPart} from './pages.js'
import {SESSION_COOKIE, type Sessions} from './session.js'

/** No inline script or style, nothing from elsewhere, no framing. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

interface Asset {
  body: Buffer
  gzipped: Buffer
  type: string
  etag: string
}

function assets(): Map<string, Asset> {
  const ui = join(packageRoot(), 'assets', 'ui')
  const uplot = join(createRequire(import.meta.url).resolve('uplot'), '..')
  const files: [string, string, string][] = [
    ['app.js', join(ui, 'app.js'), 'text/javascript; charset=utf-8'],
    ['style.css', join(ui, 'style.css'), 'text/css; charset=utf-8'],
    ['favicon.svg', join(ui, 'favicon.svg'), 'image/svg+xml'],
    ['uPlot.iife.min.js', join(uplot, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
    ['uPlot.min.css', join(uplot, 'uPlot.min.css'), 'text/css; charset=utf-8'],
  ]
  return new Map(
    files.map(([name, path, type]) => {
      const body = readFileSync(path)
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`
      return [name, {body, gzipped: gzipSync(body), type, etag}]
    }),
  )
}

export function registerUi(
  app: FastifyInstance,
  deps: {service: ResourceService; sessions: Sessions; store: Parameters<typeof authenticate>[0]; secure: boolean},
): void {
  const {service, sessions} = deps
  const files = assets()
  const secure = deps.secure ? '; Secure' : ''

  // Forms post URL-encoded bodies (the login form); small, and only for the page's routes' use.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    {parseAs: 'string', bodyLimit: 4096},
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  )

  const headers = (reply: FastifyReply) =>
    reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'same-origin')
  /** gzip when the browser takes it: a page of 1,000 workers is ~500 KB of HTML, ~30 KB gzipped. */
  const compressed = (request: FastifyRequest, reply: FastifyReply, body: Buffer | string, gzipped?: Buffer) => {
    reply.header('vary', 'accept-encoding')
    if (!/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.send(body)
    return reply.header('content-encoding', 'gzip').send(gzipped ?? gzipSync(body))
  }
  const sendHtml = (reply: FastifyReply, body: Html, status = 200) =>
    compressed(
      reply.request,
      headers(reply).status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8'),
      body.text,
    )
  /** A page's failure as a page: 403, 404 and the rest with the API's message. */
  const page =
    (handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        return await handler(request, reply)
      } catch (error) {
        if (!(error instanceof ApiError) || (request.query as {fragment?: string}).fragment) throw error
        return sendHtml(reply, errorPage(error.message), error.status)
      }
    }

  /** The session's caller; without one a page goes to the login form, a live refresh gets 401. */
  const callerOr = async (request: FastifyRequest, reply: FastifyReply): Promise<Caller | undefined> => {
    const caller = await sessions.caller(request.headers.cookie)
    if (caller) return caller
    if ((request.query as {fragment?: string}).fragment)
      throw new ApiError('Unauthorized', 'the session ended: log in again')
    headers(reply).redirect('/ui/login', 303)
    return undefined
  }

  /** A live part, with an ETag: the page's script asks again every few seconds, 304 when unchanged. */
  const sendPart = (request: FastifyRequest, reply: FastifyReply, part: Html) => {
    const etag = `"${createHash('sha256').update(part.text).digest('base64url').slice(0, 20)}"`
    headers(reply).header('etag', etag).header('cache-control', 'no-cache')
    if (request.headers['if-none-match'] === etag) return reply.status(304).send()
    return compressed(request, reply.type('text/html; charset=utf-8'), part.text)
  }

  /**
   * The page's own origin: a form post from anywhere else is refused (with SameSite=Strict, belt
   * and braces). Referrer-Policy is same-origin, not no-referrer: under no-referrer Chromium sends
   * `Origin: null` with the page's own form posts.
   */
  const sameOrigin = (request: FastifyRequest) => {
    const origin = request.headers.origin
    return origin === undefined || origin === `${deps.secure ? 'https' : 'http'}://${request.headers.host}`
  }

  const setSession = (reply: FastifyReply, keyId: string, user: string) => {
    const session = sessions.open(keyId, user)
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${session.value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${session.maxAgeSeconds}${secure}`,
    )
  }

  app.get(
    '/',
    page(async (request, reply) => {
      const caller = await callerOr(request, reply)
      if (!caller) return reply
      const q = request.query as Filter & {fragment?: string}
      const filter: Filter = {
        ...(q.name ? {name: String(q.name)} : {}),
        ...(q.tag ? {tag: String(q.tag)} : {}),
        ...(q.status ? {status: String(q.status)} : {}),
      }
      const workers: ResourceObject[] = []
      let token: string | undefined
      do {
        const page = await service.list(caller, {
          type: 'worker',
          all: true,
          limit: 500,
          ...(token ? {continue: token} : {}),
        })
        workers.push(...page.items)
        token = page.continue
      } while (token)
      const byWorkspace = new Map<string, ResourceObject[]>()
      for (const r of workers.filter((w) => matches(w, filter))) {
        const ws = r.metadata.workspace ?? ''
        byWorkspace.set(ws, [...(byWorkspace.get(ws) ?? []), r])
      }
      const live = workersPart(new Map([...byWorkspace].sort(([a], [b]) => a.localeCompare(b))), Date.now())
      if (q.fragment) return sendPart(request, reply, live)
      const workspaces = new Set([
        ...workers.map((w) => w.metadata.workspace ?? ''),
        ...caller.user.grants.map((g) => g.workspace),
      ])
      return sendHtml(reply, overviewPage(caller.user.name, filter, [...workspaces].sort(), live))
    }),
  )

  app.get(
    '/ui/workers/:workspace/:name',
    page(async (request, reply) => {
      const caller = await callerOr(request, reply)
      if (!caller) return reply
      const {workspace, name} = request.params as {workspace: string; name: string}
      const ref = {type: 'worker', name, workspace}
      const [resource, runtime, events] = await Promise.all([
        service.get(caller, ref, false),
        service.runtimeOf(caller, ref),
        service.events(caller, ref),
      ])
      const view = {workspace, resource, runtime, events}
      if ((request.query as {fragment?: string}).fragment) return sendPart(request, reply, workerPart(view, Date.now()))
      return sendHtml(reply, workerPage(caller.user.name, view, Date.now()))
    }),
  )

  app.get('/ui/login', async (request, reply) => {
    const token = (request.query as {token?: string}).token
    if (token) {
      const redeemed = sessions.redeem(token)
      const key = redeemed && (await deps.store.findApiKey(redeemed.keyId))
      if (!redeemed || !key || key.user !== redeemed.user)
        return sendHtml(
          reply,
          loginPage('This login link has expired or was used already: run drover dashboard again.'),
          401,
        )
      setSession(reply, redeemed.keyId, redeemed.user)
      return headers(reply).redirect('/', 303)
    }
    return sendHtml(reply, loginPage())
  })

  app.post('/ui/login', async (request, reply) => {
    if (!sameOrigin(request)) return sendHtml(reply, loginPage('A login must come from this page.'), 403)
    const apiKey = String((request.body as {apiKey?: unknown} | undefined)?.apiKey ?? '').trim()
    let caller: Caller
    try {
      caller = await authenticate(deps.store, `Bearer ${apiKey}`)
    } catch {
      return sendHtml(reply, loginPage('That API key is not valid.'), 401)
    }
    setSession(reply, caller.keyId!, caller.user.name)
    return headers(reply).redirect('/', 303)
  })

  app.post('/ui/logout', async (request, reply) => {
    if (!sameOrigin(request)) return sendHtml(reply, loginPage('A logout must come from this page.'), 403)
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure}`)
    return headers(reply).redirect('/ui/login', 303)
  })

  const sendAsset = (request: FastifyRequest, reply: FastifyReply, name: string) => {
    const asset = files.get(name)
    if (!asset) throw new ApiError('NotFound', `no asset ${name}`)
    headers(reply).header('etag', asset.etag).header('cache-control', 'no-cache')
    if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send()
    return compressed(request, reply.type(asset.type), asset.body, asset.gzipped)
  }
  app.get('/ui/assets/:file', async (request, reply) =>
    sendAsset(request, reply, (request.params as {file: string}).file),
  )
  app.get('/favicon.ico', async (request, reply) => sendAsset(request, reply, 'favicon.svg'))
}
