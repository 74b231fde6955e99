// The baseline for the HTTP benchmarks: a bare node:http server with node:sqlite (WAL,
// synchronous=FULL, one autocommit transaction per write, as the probe measured) doing the same
// read (one row by primary key, JSON out) and the same write (one row upserted), behind a
// constant-time bearer check. No framework, no validation, no group commit.
import {timingSafeEqual} from 'node:crypto'
import {createServer} from 'node:http'
import {DatabaseSync} from 'node:sqlite'

const [path, token] = process.argv.slice(2)
const db = new DatabaseSync(path)
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL')
db.exec(
  'CREATE TABLE IF NOT EXISTS resources (workspace TEXT, type TEXT, name TEXT, manifest TEXT, rv INTEGER, PRIMARY KEY (workspace, type, name)) WITHOUT ROWID',
)
const get = db.prepare('SELECT * FROM resources WHERE workspace = ? AND type = ? AND name = ?')
const put = db.prepare(
  'INSERT INTO resources (workspace, type, name, manifest, rv) VALUES (?, ?, ?, ?, 1) ON CONFLICT DO UPDATE SET manifest = excluded.manifest, rv = rv + 1',
)
const expected = Buffer.from(`Bearer ${token}`)

createServer((req, res) => {
  const auth = Buffer.from(req.headers.authorization ?? '')
  if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
    res.writeHead(401).end()
    return
  }
  const url = new URL(req.url, 'http://x')
  if (req.method === 'GET') {
    const [, , , , type, name] = url.pathname.split('/')
    const row = get.get(url.searchParams.get('workspace') ?? 'public', type, name)
    if (!row) return res.writeHead(404).end()
    res
      .writeHead(200, {'content-type': 'application/json'})
      .end(JSON.stringify({manifest: JSON.parse(row.manifest), metadata: {resourceVersion: String(row.rv)}}))
    return
  }
  let body = ''
  req.setEncoding('utf8')
  req.on('data', (d) => (body += d))
  req.on('end', () => {
    const {manifest} = JSON.parse(body)
    put.run('public', manifest.type, manifest.name, JSON.stringify(manifest))
    res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({result: 'updated'}))
  })
}).listen(0, '127.0.0.1', function () {
  process.stdout.write(`${JSON.stringify({url: `http://127.0.0.1:${this.address().port}`})}\n`)
})
