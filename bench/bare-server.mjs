// The baselines for the HTTP benchmarks: a bare node:http server with node:sqlite (WAL,
// synchronous=FULL) doing the same read (one row by primary key, JSON out) and the same write
// (one row upserted), behind a constant-time bearer check. No framework, no validation.
//   --mode plain    one autocommit transaction (one fsync) per write, no cache: the floor the
//                   probe measured
//   --mode matched  what drover's store does besides validation and Fastify: the writes that
//                   arrive together share one transaction (group commit), and parsed rows are
//                   kept in a cache of up to 10,000 records, checked against the row's version
import {DatabaseSync} from 'node:sqlite'
import {parseArgs} from 'node:util'
import {serveBare} from './bare-http.mjs'

const {values, positionals} = parseArgs({options: {mode: {type: 'string', default: 'plain'}}, allowPositionals: true})
const [path, token] = positionals
const matched = values.mode === 'matched'
const db = new DatabaseSync(path)
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL')
db.exec(
  'CREATE TABLE IF NOT EXISTS resources (workspace TEXT, type TEXT, name TEXT, manifest TEXT, rv INTEGER, PRIMARY KEY (workspace, type, name)) WITHOUT ROWID',
)
const get = db.prepare('SELECT * FROM resources WHERE workspace = ? AND type = ? AND name = ?')
const put = db.prepare(
  'INSERT INTO resources (workspace, type, name, manifest, rv) VALUES (?, ?, ?, ?, 1) ON CONFLICT DO UPDATE SET manifest = excluded.manifest, rv = rv + 1',
)
const cache = new Map()

function read(workspace, type, name) {
  const row = get.get(workspace, type, name)
  if (!row) return undefined
  if (!matched) return {manifest: JSON.parse(row.manifest), rv: row.rv}
  const key = `${workspace}\u0000${type}\u0000${name}`
  const hit = cache.get(key)
  if (hit && hit.rv === row.rv) return hit
  const record = {manifest: JSON.parse(row.manifest), rv: row.rv}
  if (cache.size < 10_000) cache.set(key, record)
  return record
}

// Group commit: writes queued in one turn of the event loop commit in one transaction.
let pending = []
function write(workspace, manifest, done) {
  if (!matched) {
    put.run(workspace, manifest.type, manifest.name, JSON.stringify(manifest))
    return done()
  }
  pending.push([workspace, manifest, done])
  if (pending.length === 1)
    setImmediate(() => {
      const batch = pending
      pending = []
      db.exec('BEGIN')
      for (const [w, m] of batch) put.run(w, m.type, m.name, JSON.stringify(m))
      db.exec('COMMIT')
      for (const [, , d] of batch) d()
    })
}

serveBare(token, read, write)
