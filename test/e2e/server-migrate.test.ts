// `drover server migrate`: the built CLI copies a real control plane's SQLite store into a real
// PostgreSQL (test/helpers/postgres.ts), and a control plane on PostgreSQL serves what was there:
// resources with their uids, statuses, events and rollout history, users and their keys, secrets
// still readable with the same key. Skipped with one loud line without a PostgreSQL.
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {apply, call, createUser, nodeWorker} from '../helpers/api.js'
import {type TestPostgres, freshDatabase, postgresAvailable, startPostgres} from '../helpers/postgres.js'
import {NODE, RUN_JS, cliEnv, runCli} from '../helpers/run-cli.js'
import {type ServerProcess, startServerProcess, tempDir} from '../helpers/server.js'

const home = tempDir('migrate')
const source = {data: join(home, 'sqlite', 'data'), config: join(home, 'sqlite', 'config')}
const secret = {name: 'db', version: 'v1', type: 'secret', secret: {type: 'key-value', data: {password: 'hunter2'}}}
let pg: TestPostgres | undefined
let url = ''
const servers: ServerProcess[] = []

const migrate = (args: string[] = []) =>
  runCli(['server', 'migrate', '--data-dir', source.data, ...args], {
    env: {DROVER_CONFIG_DIR: source.config},
    timeoutMs: 60_000,
  })

describe.skipIf(!postgresAvailable)('drover server migrate', () => {
  let aliceKey = ''
  let uid = ''
  let revisions = 0

  beforeAll(async () => {
    pg = await startPostgres()
    url = await freshDatabase(pg, 'migrate')
    // A control plane on SQLite with something of everything.
    const sqlite = await startServerProcess({
      home: join(home, 'sqlite'),
      env: {DROVER_DATA_DIR: source.data, DROVER_CONFIG_DIR: source.config},
    })
    servers.push(sqlite)
    expect((await apply(sqlite, secret)).status).toBe(200)
    // Two revisions of a worker (dryRun: stored, not run), and one in another workspace.
    for (const [replicas, source] of [
      [1, 'x'],
      [2, 'y'],
    ] as const)
      expect((await apply(sqlite, nodeWorker('w', source, {replicas, dryRun: true, secrets: ['db']}))).status).toBe(200)
    expect((await apply(sqlite, nodeWorker('other', 'x', {dryRun: true}), {workspace: 'team'})).status).toBe(200)
    aliceKey = await createUser(sqlite, 'alice', [{workspace: 'team', access: 'write'}])
    uid = ((await call(sqlite, 'GET', '/api/v1/resources/worker/w?workspace=public')).json().metadata as {uid: string})
      .uid
    for (const [name, workspace] of [
      ['w', 'public'],
      ['other', 'team'],
    ])
      revisions += (
        (await call(sqlite, 'GET', `/api/v1/resources/worker/${name}/revisions?workspace=${workspace}`)).json() as {
          items: unknown[]
        }
      ).items.length
    await sqlite.stop()
  }, 60_000)
  afterAll(async () => {
    for (const server of servers) await server.kill()
    await pg?.stop()
  })

  it('copies everything, then nothing when run again', async () => {
    const first = await migrate(['--to', url, '--output', 'json'])
    expect(first.code, first.stderr).toBe(0)
    const summary = JSON.parse(first.stdout) as {
      users: Record<string, number>
      resources: Record<string, number>
      types: Record<string, number>
      events: number
      revisions: number
      to: string
    }
    expect(summary.users.created).toBe(2) // the local admin and alice
    expect(summary.types).toMatchObject({worker: 2, secret: 1})
    expect(summary.resources.updated + summary.resources.unchanged).toBe(0)
    expect(revisions).toBeGreaterThanOrEqual(2)
    expect(summary.revisions).toBe(revisions)
    expect(summary.events).toBeGreaterThanOrEqual(3)
    // Secret values stay sealed in the new store.
    const {default: postgres} = await import('postgres')
    const target = new URL(url)
    const socket = target.searchParams.get('host') ?? undefined
    target.searchParams.delete('host')
    const sql = postgres(target.toString(), {...(socket ? {host: socket} : {}), max: 1})
    const rows = await sql`SELECT manifest, sealed FROM resources WHERE type = 'secret'`
    await sql.end()
    expect(rows).toHaveLength(1)
    expect(String(rows[0]!.sealed)).not.toBe('')
    expect(JSON.stringify(rows)).not.toContain('hunter2')
    const again = await migrate(['--to', url])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('users:     0 created, 0 updated, 2 unchanged')
    expect(again.stdout).toMatch(/resources: 0 created, 0 updated, \d+ unchanged \(/)
    expect(again.stdout).toContain(`the same key, ${join(source.config, 'encryption.key')}`)
  })

  it('leaves a store a control plane on PostgreSQL serves as it was', async () => {
    const pgServer = await startServerProcess({
      home: join(home, 'pg'),
      env: {DROVER_STORE_URL: url, DROVER_CONFIG_DIR: source.config, DROVER_DATA_DIR: join(home, 'pg', 'data')},
    })
    servers.push(pgServer)
    const w = (await call(pgServer, 'GET', '/api/v1/resources/worker/w?workspace=public')).json() as {
      metadata: {uid: string; generation: number}
      manifest: {worker: {replicas: number}}
    }
    expect(w.metadata.uid).toBe(uid)
    expect(w.metadata.generation).toBe(2)
    expect(w.manifest.worker.replicas).toBe(2)
    const history = (await call(pgServer, 'GET', '/api/v1/resources/worker/w/revisions?workspace=public')).json()
    expect(history.items).toHaveLength(2)
    const events = (await call(pgServer, 'GET', '/api/v1/resources/worker/w/events?workspace=public')).json() as {
      items: {reason: string}[]
    }
    expect(events.items.map((e) => e.reason)).toContain('Applied')
    // The secret, sealed with the key that came along: readable in full by its owner.
    const db = (await call(pgServer, 'GET', '/api/v1/resources/secret/db?workspace=public&unSanitize=true')).json() as {
      manifest: {secret: {data: {password: string}}}
    }
    expect(db.manifest.secret.data.password).toBe('hunter2')
    // alice's key works, with her grants.
    const whoami = await call(pgServer, 'GET', '/api/v1/whoami', {key: aliceKey})
    expect(whoami.json()).toMatchObject({user: 'alice', grants: [{workspace: 'team', access: 'write'}]})
    await pgServer.stop()
  })

  it('draws a progress bar on a terminal', () => {
    // `script` gives the CLI a terminal (util-linux, on every Debian).
    const command = [NODE, RUN_JS, 'server', 'migrate', '--data-dir', source.data, '--to', url]
      .map((a) => `'${a}'`)
      .join(' ')
    const r = spawnSync('script', ['-qec', command, '/dev/null'], {
      env: cliEnv({DROVER_CONFIG_DIR: source.config}),
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(r.status, r.stdout).toBe(0)
    expect(r.stdout).toMatch(/\rcopying \[#{30}\] (\d+)\/\1/)
  })

  it('refuses, in one line, a running source, a missing one, and a bad or dead target', async () => {
    const missing = await runCli(['server', 'migrate', '--from', join(home, 'none.db'), '--to', url])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^Error: --from: no SQLite store at .*none\.db/)
    const bad = await migrate(['--to', 'mysql://x'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('a postgres://… URL')
    const dead = await migrate(['--to', 'postgres://drover:secretpw@127.0.0.1:1/drover'])
    expect(dead.code).toBe(1)
    expect(dead.stderr).toContain('cannot migrate: store postgres://drover:***@127.0.0.1:1/drover')
    expect(dead.stderr).not.toContain('secretpw')
    expect(dead.stderr.trim().split('\n').length).toBeLessThanOrEqual(2)
    const running = await startServerProcess({
      home: join(home, 'sqlite'),
      env: {DROVER_DATA_DIR: source.data, DROVER_CONFIG_DIR: source.config},
    })
    servers.push(running)
    const refused = await migrate(['--to', url])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`the control plane (pid ${running.pid}) runs on`)
    await running.stop()
  })
})
