// Credentials that are never readable back, bounded work per request, and faults (a full disk,
// a killed wrapper without cgroups) against the real control plane process (issue 7).
import {execFileSync} from 'node:child_process'
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {apply, call, createUser, logOf, nodeWorker} from '../../helpers/api.js'
import {processesWith, replicaWrappers} from '../../helpers/procs.js'
import {FAST, type ServerProcess, killReplicasUnder, startServerProcess, tempDir} from '../../helpers/server.js'
import {waitFor} from '../../helpers/wait.js'

describe('credentials are never readable back by those who may not', () => {
  const home = tempDir('sec-cred')
  let server: ServerProcess
  afterAll(async () => {
    await server?.stop()
    killReplicasUnder(home)
  })

  it('a reader of team-b cannot put team-b’s secret into a team-a worker; a non-owner cannot unSanitize; logs are gated', async () => {
    server = await startServerProcess({home: join(home, 'cp'), env: FAST})
    const mallory = await createUser(server, 'mallory', [
      {workspace: 'team-a', access: 'write'},
      {workspace: 'team-b', access: 'read'},
    ])
    const bob = await createUser(server, 'bob', [
      {workspace: 'team-b', access: 'write'},
      {workspace: 'team-a', access: 'read'},
    ])
    const reader = await createUser(server, 'reader', [{workspace: 'team-a', access: 'read'}])
    expect(
      (
        await apply(
          server,
          {name: 'db', version: 'v1', type: 'secret', secret: {type: 'key-value', data: {PASSWORD: 'b-pass-4242'}}},
          {workspace: 'team-b'},
        )
      ).status,
    ).toBe(200)

    const steal = await apply(
      server,
      nodeWorker('printer', 'console.log(process.env.PASSWORD)', {dataosSecrets: [{name: 'db', workspace: 'team-b'}]}),
      {key: mallory, workspace: 'team-a'},
    )
    expect(steal.status).toBe(422)
    expect(steal.text).toContain('may not use secrets of workspace team-b')

    // bob may use it (write on team-b) in a worker of team-a… whose log only those who may use the secret read
    const uses = await apply(
      server,
      nodeWorker('printer', 'console.log("value " + process.env.PASSWORD); setInterval(() => {}, 1000)', {
        dataosSecrets: [{name: 'db', workspace: 'team-b'}],
      }),
      {workspace: 'team-a'},
    )
    expect(uses.status).toBe(200)
    await waitFor(
      'the value in the log',
      async () => (await logOf(server, 'printer', 'team-a')).text.includes('value b-pass-4242') || undefined,
    )
    expect((await logOf(server, 'printer', 'team-a', bob)).status).toBe(200)
    for (const key of [reader, mallory]) {
      const denied = await logOf(server, 'printer', 'team-a', key)
      expect(denied.status).toBe(403)
      expect(denied.text).not.toContain('b-pass-4242')
    }
    const followed = await call(server, 'GET', '/api/v1/resources/worker/printer/logs?workspace=team-a&follow=true', {
      key: reader,
    })
    expect(followed.status).toBe(403)

    // runAsApiKey: the owner and admins read it back; another writer of the workspace does not
    const carol = await createUser(server, 'carol', [{workspace: 'team-a', access: 'write'}])
    expect(
      (
        await apply(server, nodeWorker('as-carol', 'x', {dryRun: true, runAsApiKey: carol}), {
          key: carol,
          workspace: 'team-a',
        })
      ).status,
    ).toBe(200)
    const byOther = await call(server, 'GET', '/api/v1/resources/worker/as-carol?workspace=team-a&unSanitize=true', {
      key: mallory,
    })
    expect(byOther.status).toBe(403)
    expect(byOther.text).not.toContain(carol.slice(4))
    expect(
      (await call(server, 'GET', '/api/v1/resources/worker/as-carol?workspace=team-a&unSanitize=true', {key: carol}))
        .text,
    ).toContain(carol)
    expect(
      (await call(server, 'GET', '/api/v1/resources/secret/db?workspace=team-b&unSanitize=true', {key: bob})).status,
    ).toBe(403)
    expect((await call(server, 'GET', '/api/v1/resources/secret/db?workspace=team-b&unSanitize=true')).text).toContain(
      'b-pass-4242',
    )
  })

  it('continue tokens are opaque, and forged ones are refused', async () => {
    for (let i = 0; i < 3; i++)
      expect((await apply(server, nodeWorker(`p${i}`, 'x', {dryRun: true}), {workspace: 'team-b'})).status).toBe(200)
    const page = (await call(server, 'GET', '/api/v1/resources?all=true&limit=2')).json()
    const token = String(page.continue)
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toMatch(/team-|worker|secret/)
    const forged = Buffer.from(JSON.stringify(['team-b', 'worker', 'p0'])).toString('base64url')
    expect((await call(server, 'GET', `/api/v1/resources?all=true&limit=2&continue=${forged}`)).status).toBe(400)
    expect((await call(server, 'GET', `/api/v1/resources?all=true&limit=2&continue=${token}`)).status).toBe(200)
  })

  it('the local admin cannot be demoted through the API', async () => {
    const other = await call(server, 'POST', '/api/v1/users', {body: {name: 'second-admin', admin: true}})
    const key = String(other.json().apiKey)
    const admin = String((await call(server, 'GET', '/api/v1/whoami')).json().user)
    const demote = await call(server, 'POST', '/api/v1/users', {body: {name: admin, admin: false}, key})
    expect(demote.status).toBe(403)
    expect((await call(server, 'GET', '/api/v1/whoami')).json().admin).toBe(true)
  })
})

describe('bounded work per request', () => {
  const home = tempDir('sec-bounds')
  let server: ServerProcess
  afterAll(async () => {
    await server?.stop()
  })

  it('a ReDoS pattern in a stack schema does not block the API', async () => {
    server = await startServerProcess({home: join(home, 'cp'), env: {...FAST, DROVER_LOG_LEVEL: 'info'}})
    const stack = {
      name: 'evil',
      version: 'v1',
      type: 'stack',
      stack: {
        name: 'evil',
        version: '1.0',
        command: ['true'],
        stackSpecValueSchema: {jsonSchema: {type: 'object', properties: {v: {type: 'string', pattern: '^(a+)+$'}}}},
      },
    }
    expect((await apply(server, stack)).status).toBe(200)
    // With a backtracking engine this input takes 2^5000 steps: the apply would never return.
    const r = await apply(server, {
      name: 'victim',
      version: 'v1beta',
      type: 'worker',
      worker: {stack: 'evil', compute: 'runnable-default', dryRun: true, stackSpec: {v: `${'a'.repeat(5000)}!`}},
    })
    expect(r.status).toBe(422)
    expect(r.text).toContain('worker.stackSpec.v')
    // How long the control plane itself spent on it (its request log; the event loop is single):
    // measured there, not from this process, whose own scheduling would be counted too. A
    // backtracking engine needs 2^5000 steps (the request would never end); a linear one takes
    // milliseconds plus compiling the stack's schema. The bound leaves a loaded machine room
    // (107 ms seen under stress-ng --cpu 2 on 2 cores) and still fails on anything exponential.
    const line = await waitFor('the request line', () =>
      server
        .output()
        .split('\n')
        .find((l) => l.includes('"route":"/api/v1/apply"') && l.includes('"status":422')),
    )
    expect((JSON.parse(line) as {ms: number}).ms).toBeLessThan(1000)
    // lookaround is not linear-time: such a stack is refused when applied
    const look = await apply(server, {
      ...stack,
      name: 'look',
      stack: {
        ...stack.stack,
        name: 'look',
        stackSpecValueSchema: {jsonSchema: {type: 'object', properties: {v: {type: 'string', pattern: '^(?=a)a$'}}}},
      },
    })
    expect(look.status).toBe(422)
  })

  it('nesting, replicas and secret keys have limits', async () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 4000; i++) deep = {d: deep}
    const nested = await call(server, 'POST', '/api/v1/apply', {body: {manifest: deep}})
    expect(nested.status).toBe(400)
    expect(nested.json().message).toContain('nests deeper than')
    const many = await apply(server, nodeWorker('many', 'x', {replicas: 9007199254740991}))
    expect(many.status).toBe(422)
    expect(many.text).toContain('must be at most 1000')
    for (const key of ['.', '..']) {
      const secret = await apply(server, {
        name: 'dots',
        version: 'v1',
        type: 'secret',
        secret: {type: 'key-value', data: {[key]: 'v'}},
      })
      expect(secret.status).toBe(422)
    }
    expect((await call(server, 'GET', '/healthz', {key: null})).status).toBe(200)
  })
})

describe('exposure', () => {
  const home = tempDir('sec-expose')
  it('plain HTTP off loopback needs --insecure', async () => {
    await expect(startServerProcess({home: join(home, 'a'), args: ['--host', '0.0.0.0']})).rejects.toThrow(
      /refusing to serve plain HTTP on 0\.0\.0\.0/,
    )
    const server = await startServerProcess({
      home: join(home, 'b'),
      args: ['--host', '0.0.0.0', '--insecure'],
      env: {DROVER_LOG_LEVEL: 'info'},
    })
    expect(server.output()).toContain('serving plain HTTP on a non-loopback address')
    await server.stop()
  })
})

describe('without cgroups or namespaces: a killed wrapper never means a duplicate', () => {
  const home = tempDir('sec-nocg')
  let server: ServerProcess
  afterAll(async () => {
    await server?.stop()
    killReplicasUnder(home)
  })

  it('kills what the dead wrapper left before starting the replica again', async () => {
    server = await startServerProcess({
      home: join(home, 'cp'),
      env: {...FAST, DROVER_CGROUPS: 'off', DROVER_ISOLATION: 'off'},
    })
    const marker = `orphan-${Date.now()}`
    const source = `require('child_process').spawn('/bin/sh', ['-c', 'sleep 1000; echo ${marker}'], {detached: true, stdio: 'ignore'}).unref(); setInterval(() => {}, 1000)`
    expect((await apply(server, nodeWorker('orphans', source, {replicas: 3}))).status).toBe(200)
    await waitFor('3 escaped children', () => processesWith(marker).length === 3 || undefined)
    const wrappers = () => replicaWrappers(join(server.dataDir, 'runtime', 'public', 'orphans'))
    await waitFor('3 wrappers', () => wrappers().length === 3 || undefined)
    process.kill(wrappers()[0]!.pid, 'SIGKILL')
    // the replica is restarted: still 3 programs and 3 escaped children, never 4
    await waitFor('restarted', async () => {
      const view = (await call(server, 'GET', '/api/v1/resources/worker/orphans/runtime')).json() as {
        replicas: {restarts: number; ready: boolean}[]
      }
      return view.replicas.some((r) => r.restarts === 1) && view.replicas.every((r) => r.ready) ? true : undefined
    })
    await waitFor('3 escaped children again', () => processesWith(marker).length === 3 || undefined)
    expect(wrappers()).toHaveLength(3)
    expect((await call(server, 'DELETE', '/api/v1/resources/worker/orphans')).status).toBe(200)
    await waitFor('nothing left', () => processesWith(marker).length === 0 || undefined)
  })
})

describe.runIf(process.getuid?.() === 0)('a full disk', () => {
  const home = tempDir('sec-disk')
  const mount = join(home, 'small')
  let server: ServerProcess | undefined
  afterAll(async () => {
    await server?.stop()
    try {
      execFileSync('umount', ['-l', mount])
    } catch {
      // not mounted
    }
  })

  it('answers 507 for writes, keeps serving reads and /healthz, says why in /readyz, and recovers by itself', async () => {
    mkdirSync(mount)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mount])
    server = await startServerProcess({home: mount, env: {DROVER_LOG_LEVEL: 'info'}})
    expect((await apply(server, nodeWorker('before', 'x', {dryRun: true}))).status).toBe(200)
    const filler = join(mount, 'filler')
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M', 'count=16'], {stdio: 'ignore'})
    } catch {
      // dd stops at "No space left on device": the disk is full
    }
    let refused: Awaited<ReturnType<typeof apply>> | undefined
    for (let i = 0; i < 20 && refused?.status !== 507; i++)
      refused = await apply(server, nodeWorker(`after-${i}`, 'x'.repeat(64 * 1024), {dryRun: true}))
    expect(refused!.status).toBe(507)
    expect(refused!.json()).toMatchObject({
      code: 'InsufficientStorage',
      message: expect.stringContaining('the disk is full'),
    })
    const t = performance.now()
    expect((await call(server, 'GET', '/healthz', {key: null})).status).toBe(200)
    expect(performance.now() - t).toBeLessThan(1000)
    expect((await call(server, 'GET', '/api/v1/resources/worker/before')).status).toBe(200)
    const readyz = await call(server, 'GET', '/readyz', {key: null})
    expect(readyz.status).toBe(503)
    expect(readyz.text).toContain('the store cannot write (the disk is full)')
    rmSync(filler)
    await waitFor(
      'ready again',
      async () => (await call(server!, 'GET', '/readyz', {key: null})).status === 200 || undefined,
    )
    expect((await apply(server, nodeWorker('recovered', 'x', {dryRun: true}))).status).toBe(200)
    expect((await call(server, 'GET', '/healthz', {key: null})).status).toBe(200)
    writeFileSync(join(mount, 'probe'), 'ok') // the disk really has room again
  })
})

describe('shutdown', () => {
  const home = tempDir('sec-shutdown')
  afterAll(() => killReplicasUnder(home))
  const exitOf = (server: ServerProcess) =>
    new Promise<number | null>((resolve) =>
      server.child.exitCode !== null
        ? resolve(server.child.exitCode)
        : server.child.once('exit', (code) => resolve(code)),
    )
  // A replica deaf to SIGTERM with a 60 s grace period: `server stop --stop-workers` (SIGUSR2) would wait that long.
  const deafWorker = async (name: string, env: Record<string, string>) => {
    const server = await startServerProcess({
      home: join(home, name),
      env: {...FAST, DROVER_STOP_GRACE_MS: '60000', DROVER_LOG_LEVEL: 'info', ...env},
    })
    expect(
      (
        await apply(
          server,
          nodeWorker(
            'deaf',
            "process.on('SIGTERM', () => console.log('ignored')); console.log('up'); setInterval(() => {}, 1000)",
          ),
        )
      ).status,
    ).toBe(200)
    await waitFor('deaf running', async () => (await logOf(server, 'deaf', 'public')).text.includes('up') || undefined)
    return server
  }

  it('a second signal exits at once', async () => {
    const server = await deafWorker('second', {})
    server.child.kill('SIGUSR2')
    await waitFor('shutting down', () => server.output().includes('shutting down') || undefined)
    server.child.kill('SIGTERM')
    expect(await exitOf(server)).toBe(1)
    expect(server.output()).toContain('second signal: exiting now')
  })

  it('a shutdown that takes longer than its deadline exits', async () => {
    const server = await deafWorker('deadline', {DROVER_SHUTDOWN_TIMEOUT_MS: '500'})
    server.child.kill('SIGUSR2')
    expect(await exitOf(server)).toBe(1)
    expect(server.output()).toContain('shutdown took too long: exiting now')
  })
})
