// The HTTP client against the real API (buildApp with a SQLite file, listening on loopback), and
// against servers that misbehave: refused, silent, answering garbage.
import {type Server, createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {DroverClient} from '../../../src/client/client.js'
import {ClientApiError, ClientTransportError} from '../../../src/client/errors.js'
import {type TestApp, buildTestApp, tempDir} from '../../helpers/server.js'
import {waitFor} from '../../helpers/wait.js'

const worker = (name: string) => ({
  name,
  version: 'v1beta',
  type: 'worker',
  worker: {stack: 'node', compute: 'runnable-default', dryRun: true, stackSpec: {source: '0'}},
})

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('DroverClient', () => {
  let t: TestApp
  let client: DroverClient
  beforeAll(async () => {
    t = await buildTestApp(tempDir('client'))
    const url = await t.app.listen({port: 0, host: '127.0.0.1'})
    client = new DroverClient({url, apiKey: t.keys.alice!})
  })
  afterAll(async () => {
    client.close()
    await t.close()
  })

  it('applies, gets and lists every page', async () => {
    for (const n of ['c1', 'c2', 'c3', 'c4', 'c5']) {
      expect((await client.apply({manifest: worker(n)})).result).toBe('created')
    }
    expect((await client.get({type: 'worker', name: 'c3'})).metadata.id).toBe('worker:v1beta:c3:public')
    const page = await client.list({type: 'worker', limit: 2})
    expect(page.items).toHaveLength(2)
    expect(page.continue).toBeDefined()
    const all = await client.listAll({type: 'worker', limit: 2})
    expect(all.map((r) => r.manifest.name)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5'])
    expect((await client.whoami()).user).toBe('alice')
  })

  it('throws the server’s error body with its status', async () => {
    const missing = await client.get({type: 'worker', name: 'nope'}).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(ClientApiError)
    expect(missing).toMatchObject({status: 404, body: {code: 'NotFound'}})
    const notFollowed = await client
      .logs({type: 'worker', name: 'nope'}, {follow: true}, () => {})
      .catch((e: unknown) => e)
    expect(notFollowed).toBeInstanceOf(ClientApiError)
    expect(notFollowed).toMatchObject({status: 404, body: {code: 'NotFound'}})
    const invalid = await client.apply({manifest: {...worker('bad'), worker: {}}}).catch((e: unknown) => e)
    expect(invalid).toMatchObject({status: 422, body: {code: 'Invalid'}})
    expect((invalid as ClientApiError).body.details.length).toBeGreaterThan(0)
    const anonymous = new DroverClient({url: client.url})
    await expect(anonymous.whoami()).rejects.toMatchObject({status: 401, body: {code: 'Unauthorized'}})
    anonymous.close()
  })

  it('says when the control plane cannot be reached', async () => {
    const dead = new DroverClient({url: 'http://127.0.0.1:9'})
    const e = await dead.whoami().catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ClientTransportError)
    expect((e as ClientTransportError).message).toBe(
      'cannot reach the control plane at http://127.0.0.1:9: connection refused',
    )
    // the same words from the streaming path (undici)
    const followed = await dead.logs({type: 'worker', name: 'w'}, {follow: true}, () => {}).catch((x: unknown) => x)
    expect(followed).toBeInstanceOf(ClientTransportError)
    expect((followed as ClientTransportError).message).toBe(
      'cannot reach the control plane at http://127.0.0.1:9: connection refused',
    )
    dead.close()
  })

  it('gives up at its timeout on a server that accepts and never answers, JSON and text requests alike', async () => {
    const silent = createServer(() => {})
    const url = await listen(silent)
    try {
      const c = new DroverClient({url, timeoutMs: 100})
      await expect(c.whoami()).rejects.toMatchObject({code: 'ETIMEDOUT'})
      await expect(c.logs({type: 'worker', name: 'w'}, {tailLines: 5}, () => {})).rejects.toMatchObject({
        code: 'ETIMEDOUT',
      })
      // a follow (undici) waits for the headers as long, no longer
      await expect(c.logs({type: 'worker', name: 'w'}, {follow: true}, () => {})).rejects.toMatchObject({
        code: 'ETIMEDOUT',
        message: `cannot reach the control plane at ${url}: timed out`,
      })
      c.close()
    } finally {
      silent.closeAllConnections()
      silent.close()
    }
  })

  it('times out a body that starts and stalls, but not a followed log that stays quiet; an abort ends the follow', async () => {
    const stalls = createServer((req, res) => {
      res.writeHead(200, {'content-type': 'text/plain'})
      res.write(req.url?.includes('follow=true') ? 'first line\n' : '{"user":')
    })
    const url = await listen(stalls)
    try {
      const c = new DroverClient({url, timeoutMs: 100})
      await expect(c.whoami()).rejects.toMatchObject({code: 'ETIMEDOUT'})
      const controller = new AbortController()
      let got = ''
      const followed = c.logs({type: 'worker', name: 'w'}, {follow: true}, (t) => (got += t), controller.signal)
      await waitFor('the first line', () => got || undefined)
      let settled = false
      const tracked = followed.finally(() => (settled = true))
      // A whole timeout passes (another request times out meanwhile): the stream is still open.
      await expect(c.whoami()).rejects.toMatchObject({code: 'ETIMEDOUT'})
      expect(settled).toBe(false)
      controller.abort()
      await expect(tracked).resolves.toBeUndefined()
      expect(got).toBe('first line\n')
      c.close()
    } finally {
      stalls.closeAllConnections()
      stalls.close()
    }
  })

  it('turns a non-JSON error page into a plain error, and a non-JSON success into a transport error', async () => {
    const proxy = createServer((req, res) => {
      if (req.url?.includes('whoami')) res.writeHead(502, 'Bad Gateway').end('<html>bad gateway</html>')
      else res.writeHead(200).end('<html>not json</html>')
    })
    const url = await listen(proxy)
    try {
      const c = new DroverClient({url})
      await expect(c.whoami()).rejects.toMatchObject({
        status: 502,
        body: {code: 'Internal', message: 'the server answered 502 Bad Gateway'},
      })
      await expect(c.get({type: 'worker', name: 'w'})).rejects.toThrow(
        'the server answered 200 with a body that is not JSON',
      )
      c.close()
    } finally {
      proxy.closeAllConnections()
      proxy.close()
    }
  })
})
