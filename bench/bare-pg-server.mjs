// The baseline for the PostgreSQL benchmark: a bare node:http server with the same driver
// (postgres, porsager) doing the same read (one row by primary key, JSON out, no cache: the
// PostgreSQL store keeps none either) and the same write (one row upserted), with the same
// batching as drover's store (the writes that arrive in one turn of the event loop share one
// transaction), behind a constant-time bearer check. No framework, no validation.
//   node bench/bare-pg-server.mjs URL TOKEN
import {timingSafeEqual} from 'node:crypto'
import {createServer} from 'node:http'
import postgres from 'postgres'

const [url, token] = process.argv.slice(2)
const parsed = new URL(url)
const socket = parsed.searchParams.get('host')
parsed.searchParams.delete('host')
const sql = postgres(parsed.toString(), {...(socket ? {host: socket} : {}), max: 10, onnotice: () => {}})
await sql`CREATE TABLE IF NOT EXISTS bare_resources (workspace text, type text, name text, manifest text, rv bigint,
  PRIMARY KEY (workspace, type, name))`
const expected = Buffer.from(`Bearer ${token}`)

// As drover's store: the writes of one event-loop turn in one transaction, one batch at a time.
let pending = []
let flushing = Promise.resolve()
function write(workspace, manifest, done) {
  pending.push([workspace, manifest, done])
  if (pending.length === 1)
    setImmediate(() => {
      flushing = flushing.then(async () => {
        const batch = pending
        pending = []
        if (batch.length === 0) return
        await sql.begin(async (tx) => {
          for (const [w, m] of batch)
            await tx`INSERT INTO bare_resources (workspace, type, name, manifest, rv) VALUES (${w}, ${m.type}, ${m.name},
              ${JSON.stringify(m)}, 1) ON CONFLICT (workspace, type, name) DO UPDATE SET manifest = excluded.manifest,
              rv = bare_resources.rv + 1`
        })
        for (const [, , d] of batch) d()
      })
    })
}

createServer(async (req, res) => {
  const auth = Buffer.from(req.headers.authorization ?? '')
  if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
    res.writeHead(401).end()
    return
  }
  const u = new URL(req.url, 'http://x')
  if (req.method === 'GET') {
    const [, , , , type, name] = u.pathname.split('/')
    const [row] =
      await sql`SELECT * FROM bare_resources WHERE workspace = ${u.searchParams.get('workspace') ?? 'public'} AND type = ${type} AND name = ${name}`
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
    write(u.searchParams.get('workspace') ?? 'public', manifest, () =>
      res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({result: 'updated'})),
    )
  })
}).listen(0, '127.0.0.1', function () {
  process.stdout.write(`${JSON.stringify({url: `http://127.0.0.1:${this.address().port}`})}\n`)
})
