// The real control plane process on a loopback port: concurrent writes, kill -9, hostile requests.
import {request} from 'node:http'
import {connect} from 'node:net'
import {DatabaseSync} from 'node:sqlite'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type ServerProcess, startServerProcess, tempDir} from '../../helpers/server.js'

interface Reply {
  status: number
  body: Record<string, unknown>
}

async function call(
  server: ServerProcess,
  method: string,
  path: string,
  options: {body?: unknown; raw?: string; headers?: Record<string, string>; key?: string | null} = {},
): Promise<Reply> {
  const key = options.key === undefined ? server.adminKey : options.key
  const response = await fetch(new URL(path, server.url), {
    method,
    headers: {
      ...(key ? {authorization: `Bearer ${key}`} : {}),
      ...(options.body !== undefined || options.raw !== undefined ? {'content-type': 'application/json'} : {}),
      ...options.headers,
    },
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  })
  const text = await response.text()
  return {status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}}
}

const worker = (name: string, replicas: number) => ({
  manifest: {
    name,
    version: 'v1beta',
    type: 'worker',
    worker: {stack: 'node', compute: 'runnable-default', replicas, dryRun: true, stackSpec: {source: 'x'}},
  },
})

const rvOf = (r: Reply) => Number((r.body.resource as {metadata: {resourceVersion: string}}).metadata.resourceVersion)

describe('control plane process', () => {
  const home = tempDir('reliability')
  const servers: ServerProcess[] = []
  afterAll(async () => {
    for (const s of servers) await s.kill()
  })

  it('serializes 200 concurrent applies to 20 resources: no lost update, distinct resourceVersions, last acknowledged write wins', async () => {
    const server = await startServerProcess({home: join(home, 'concurrent')})
    servers.push(server)
    const acked: {name: string; replicas: number; rv: number}[] = []
    await Promise.all(
      Array.from({length: 200}, async (_, i) => {
        const name = `w${i % 20}`
        const r = await call(server, 'POST', '/api/v1/apply', {body: worker(name, i)})
        expect(r.status).toBe(200)
        acked.push({name, replicas: i, rv: rvOf(r)})
      }),
    )
    expect(new Set(acked.map((a) => a.rv)).size).toBe(200)
    for (let n = 0; n < 20; n++) {
      const last = acked.filter((a) => a.name === `w${n}`).sort((a, b) => b.rv - a.rv)[0]!
      const stored = await call(server, 'GET', `/api/v1/resources/worker/w${n}`)
      // The scheduler's status writes may come after the last apply: same spec, later version.
      expect(Number((stored.body.metadata as {resourceVersion: string}).resourceVersion)).toBeGreaterThanOrEqual(
        last.rv,
      )
      expect((stored.body.manifest as {worker: {replicas: number}}).worker.replicas).toBe(last.replicas)
    }
    await server.stop()
  })

  it('keeps every acknowledged write through kill -9, with an intact database', async () => {
    const dir = join(home, 'crash')
    // Each write carries its sequence number as `replicas` (it grows past the default cap of 1,000).
    const first = await startServerProcess({home: dir, env: {DROVER_MAX_REPLICAS: '100000'}})
    servers.push(first)
    const acked = new Map<string, {replicas: number; rv: number}>()
    let stop = false
    let n = 0
    const clients = Array.from({length: 8}, async (_, c) => {
      for (let k = 0; !stop; k++) {
        const i = n++
        // each client goes round its own ten names: all 80 are written after 80 writes (picking
        // them by the shared counter took ~230, which under a loaded CI outran the timeout)
        const name = `c${c}-${k % 10}`
        try {
          const r = await call(first, 'POST', '/api/v1/apply', {body: worker(name, i)})
          if (r.status === 200) {
            const rv = rvOf(r)
            if ((acked.get(name)?.rv ?? -1) < rv) acked.set(name, {replicas: i, rv})
          }
        } catch {
          return // the server is gone
        }
      }
    })
    // Kill once a good stream of writes has been acknowledged, with requests in flight.
    const deadline = Date.now() + 30_000
    while (acked.size < 80 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    expect(acked.size, 'names acknowledged within 30 s').toBe(80)
    await first.kill()
    stop = true
    await Promise.all(clients)

    const second = await startServerProcess({home: dir, env: {DROVER_MAX_REPLICAS: '100000'}})
    servers.push(second)
    for (const [name, write] of acked) {
      const stored = await call(second, 'GET', `/api/v1/resources/worker/${name}`)
      expect(stored.status).toBe(200)
      // A later write may have committed without its answer arriving (and the scheduler writes
      // status): an acknowledged write is never lost, so the stored one is it or a later one.
      const rv = Number((stored.body.metadata as {resourceVersion: string}).resourceVersion)
      expect(rv).toBeGreaterThanOrEqual(write.rv)
      expect((stored.body.manifest as {worker: {replicas: number}}).worker.replicas).toBeGreaterThanOrEqual(
        write.replicas,
      )
    }
    await second.stop()
    const db = new DatabaseSync(join(dir, 'data', 'drover.db'))
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({integrity_check: 'ok'})
    db.close()
  }, 60_000)

  describe('hostile requests get the right 4xx, never a 500, and the server keeps serving', () => {
    let server: ServerProcess
    let aliceKey = ''

    beforeAll(async () => {
      // A control plane with a user limited to workspace team.
      server = await startServerProcess({home: join(home, 'hostile')})
      servers.push(server)
      const created = await call(server, 'POST', '/api/v1/users', {
        body: {name: 'alice', grants: [{workspace: 'team', access: 'write'}]},
      })
      aliceKey = String(created.body.apiKey)
      expect(aliceKey).toMatch(/^drv_/)
    })

    const cases: [string, () => Promise<Reply>, number, string][] = [
      ['malformed JSON', () => call(server, 'POST', '/api/v1/apply', {raw: '{"manifest": {'}), 400, 'BadRequest'],
      ['a JSON scalar body', () => call(server, 'POST', '/api/v1/apply', {raw: '42'}), 400, 'BadRequest'],
      [
        'a wrong envelope',
        () => call(server, 'POST', '/api/v1/apply', {body: {manifest: [], dryRun: 'maybe'}}),
        400,
        'BadRequest',
      ],
      [
        'an invalid manifest',
        () => call(server, 'POST', '/api/v1/apply', {body: {manifest: {name: 'x'}}}),
        422,
        'Invalid',
      ],
      [
        'XML',
        () => call(server, 'POST', '/api/v1/apply', {raw: '<a/>', headers: {'content-type': 'application/xml'}}),
        415,
        'UnsupportedMediaType',
      ],
      ['an unknown route', () => call(server, 'GET', '/api/v1/nothing/here'), 404, 'NotFound'],
      ['an unknown method', () => call(server, 'PATCH', '/api/v1/apply', {body: {}}), 404, 'NotFound'],
      ['an unknown type', () => call(server, 'GET', '/api/v1/resources/pod/x'), 404, 'NotFound'],
      ['no token', () => call(server, 'GET', '/api/v1/resources', {key: null}), 401, 'Unauthorized'],
      ['a malformed token', () => call(server, 'GET', '/api/v1/resources', {key: 'hello'}), 401, 'Unauthorized'],
      [
        'a forged token',
        () => call(server, 'GET', '/api/v1/resources', {key: `drv_0123456789abcdef_${'A'.repeat(43)}`}),
        401,
        'Unauthorized',
      ],
      [
        'another workspace (write)',
        () => call(server, 'POST', '/api/v1/apply', {body: {...worker('x', 1), workspace: 'public'}, key: aliceKey}),
        403,
        'Forbidden',
      ],
      [
        'another workspace (read)',
        () => call(server, 'GET', '/api/v1/resources?workspace=public', {key: aliceKey}),
        403,
        'Forbidden',
      ],
      [
        'creating users without admin',
        () => call(server, 'POST', '/api/v1/users', {body: {name: 'mallory', admin: true}, key: aliceKey}),
        403,
        'Forbidden',
      ],
      ['a bad query parameter', () => call(server, 'GET', '/api/v1/resources?limit=abc'), 400, 'BadRequest'],
      ['an unknown query parameter', () => call(server, 'GET', '/api/v1/resources?evil=1'), 400, 'BadRequest'],
    ]
    it.each(cases)('%s', async (_, request, status, code) => {
      const r = await request()
      expect(r.status).toBe(status)
      expect(r.body).toMatchObject({code, message: expect.any(String), details: expect.any(Array)})
      expect((await call(server, 'GET', '/healthz')).status).toBe(200)
    })

    // The server answers 413 as soon as the limit is passed and may close while the client is
    // still sending: both a 413 with the error body and a connection closed after the limit
    // (EPIPE, ECONNRESET) are correct outcomes of that race; anything else is not.
    it('a 6 MiB body: 413, or the connection closed after the 5 MiB limit', async () => {
      const body = JSON.stringify({manifest: {pad: 'x'.repeat(6 * 1024 * 1024)}})
      const outcome = await new Promise<{status: number; body: string} | {error: string; sent: number}>((resolve) => {
        const req = request(new URL('/api/v1/apply', server.url), {
          method: 'POST',
          headers: {
            authorization: `Bearer ${server.adminKey}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        })
        req.on('response', (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (d: string) => (text += d))
          res.on('end', () => resolve({status: res.statusCode ?? 0, body: text}))
          res.on('error', (error: NodeJS.ErrnoException) =>
            resolve({error: error.code ?? error.message, sent: req.socket?.bytesWritten ?? 0}),
          )
        })
        req.on('error', (error: NodeJS.ErrnoException) =>
          resolve({error: error.code ?? error.message, sent: req.socket?.bytesWritten ?? 0}),
        )
        req.end(body)
      })
      if ('status' in outcome) {
        expect(outcome.status).toBe(413)
        expect(JSON.parse(outcome.body)).toMatchObject({
          code: 'PayloadTooLarge',
          message: expect.any(String),
          details: [],
        })
      } else {
        expect(['EPIPE', 'ECONNRESET']).toContain(outcome.error)
        expect(outcome.sent).toBeGreaterThan(5 * 1024 * 1024)
      }
      expect((await call(server, 'GET', '/healthz')).status).toBe(200)
    })

    it('survives bytes that are not HTTP at all', async () => {
      await new Promise<void>((resolve) => {
        const socket = connect(Number(new URL(server.url).port), '127.0.0.1', () =>
          socket.end('\u0000\u0001GARBAGE\r\n\r\n'),
        )
        socket.on('close', () => resolve())
        socket.on('error', () => resolve())
        socket.resume()
      })
      expect((await call(server, 'GET', '/healthz')).status).toBe(200)
      expect(server.output()).not.toMatch(/"level":50|"statusCode":500/)
      expect(await server.stop()).toBe(0)
    })
  })

  it('refuses a second control plane on the same data folder', async () => {
    const dir = join(home, 'twice')
    const first = await startServerProcess({home: dir})
    servers.push(first)
    await expect(startServerProcess({home: dir})).rejects.toThrow(
      /already running on .* \(pid \d+, http:\/\/127\.0\.0\.1:\d+\)/,
    )
    await first.stop()
  })

  it('says clearly when its configuration is wrong', async () => {
    await expect(startServerProcess({home: join(home, 'config'), args: ['--port', 'eighty']})).rejects.toThrow(
      /invalid configuration: port: /,
    )
  })
})

describe('request logs', () => {
  const home = tempDir('logs')
  it('are one JSON line per request, without keys or secret values', async () => {
    const server = await startServerProcess({home, env: {DROVER_LOG_LEVEL: 'info'}})
    try {
      const r = await call(server, 'POST', '/api/v1/apply', {
        body: {
          manifest: {
            name: 's',
            version: 'v1',
            type: 'secret',
            secret: {type: 'key-value', data: {token: 'sup3r-s3cret'}},
          },
        },
      })
      expect(r.status).toBe(200)
      await call(server, 'GET', '/api/v1/resources/secret/s?unSanitize=true')
      await call(server, 'GET', '/api/v1/whoami', {key: `drv_0123456789abcdef_${'B'.repeat(43)}`})
      await server.stop()
      const lines = server
        .output()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      expect(lines.filter((l) => l.msg === 'request').map((l) => [l.method, l.route, l.status])).toEqual([
        ['POST', '/api/v1/apply', 200],
        ['GET', '/api/v1/resources/:type/:name', 200],
        ['GET', '/api/v1/whoami', 401],
      ])
      expect(server.output()).not.toContain('sup3r-s3cret')
      expect(server.output()).not.toContain(server.adminKey.slice(4))
      expect(server.output()).not.toContain('B'.repeat(43))
    } finally {
      await server.kill()
    }
  })
})
