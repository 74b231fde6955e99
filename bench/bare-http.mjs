// The HTTP side of the bare baseline servers (bench/bare-server.mjs, bench/bare-pg-server.mjs):
// node:http, a constant-time bearer check, GET /api/v1/resources/{type}/{name}?workspace= and
// POST /api/v1/apply {manifest}. No framework, no validation. Prints {"url"} once it listens.
import {timingSafeEqual} from 'node:crypto'
import {createServer} from 'node:http'

/**
 * read(workspace, type, name) → {manifest, rv} | undefined (or a promise of it);
 * write(workspace, manifest, done) calls done() once the write is durable.
 */
export function serveBare(token, read, write) {
  const expected = Buffer.from(`Bearer ${token}`)
  createServer(async (req, res) => {
    const auth = Buffer.from(req.headers.authorization ?? '')
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      res.writeHead(401).end()
      return
    }
    const url = new URL(req.url, 'http://x')
    const workspace = url.searchParams.get('workspace') ?? 'public'
    if (req.method === 'GET') {
      const [, , , , type, name] = url.pathname.split('/')
      const record = await read(workspace, type, name)
      if (!record) return res.writeHead(404).end()
      res
        .writeHead(200, {'content-type': 'application/json'})
        .end(JSON.stringify({manifest: record.manifest, metadata: {resourceVersion: String(record.rv)}}))
      return
    }
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const {manifest} = JSON.parse(body)
      write(workspace, manifest, () =>
        res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({result: 'updated'})),
      )
    })
  }).listen(0, '127.0.0.1', function () {
    process.stdout.write(`${JSON.stringify({url: `http://127.0.0.1:${this.address().port}`})}\n`)
  })
}
