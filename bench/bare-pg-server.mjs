// The baseline for the PostgreSQL benchmark: a bare node:http server with the same driver
// (postgres, porsager) doing the same read (one row by primary key, JSON out, no cache: the
// PostgreSQL store keeps none either) and the same write (one row upserted), with the same
// batching as drover's store (the writes that arrive in one turn of the event loop share one
// transaction), behind a constant-time bearer check. No framework, no validation.
//   node bench/bare-pg-server.mjs URL TOKEN
import postgres from 'postgres'
import {serveBare} from './bare-http.mjs'

const [url, token] = process.argv.slice(2)
const parsed = new URL(url)
const socket = parsed.searchParams.get('host')
parsed.searchParams.delete('host')
const sql = postgres(parsed.toString(), {...(socket ? {host: socket} : {}), max: 10, onnotice: () => {}})
await sql`CREATE TABLE IF NOT EXISTS bare_resources (workspace text, type text, name text, manifest text, rv bigint,
  PRIMARY KEY (workspace, type, name))`

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

serveBare(
  token,
  async (workspace, type, name) => {
    const [row] =
      await sql`SELECT * FROM bare_resources WHERE workspace = ${workspace} AND type = ${type} AND name = ${name}`
    return row ? {manifest: JSON.parse(row.manifest), rv: row.rv} : undefined
  },
  write,
)
