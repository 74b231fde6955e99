// Attacks of a workspace writer on the real control plane (issue 7), and the defence each meets.
// As root (CI runs as root): replicas run under per-workspace uids in a private PID namespace.
// As an unprivileged user (the control plane started as `nobody`): the server says workers run
// as its own user and keeps non-admins from writing them, unless started --single-tenant.
import {chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {ROOT} from '../../helpers/run-cli.js'
import {afterAll, describe, expect, it} from 'vitest'
import {apply, call, createUser, logOf, nodeWorker} from '../../helpers/api.js'
import {processesWith} from '../../helpers/procs.js'
import {
  FAST,
  type ServerProcess,
  adminKeyFile,
  killReplicasUnder,
  startServerProcess,
  tempDir,
} from '../../helpers/server.js'
import {waitFor} from '../../helpers/wait.js'

const root = process.getuid?.() === 0
if (!root) console.warn('SKIPPED: replica isolation by uid needs root (CI runs these tests as root)')

// The program a hostile writer deploys: it tries every way to the control plane's secrets and prints what it got.
const STEAL = `
const fs = require('fs')
const tryRead = (what, path) => { try { const t = fs.readFileSync(path, 'utf8'); console.log('GOT ' + what + ' ' + t.slice(0, 200).replace(/\\0/g, ' ')) } catch (e) { console.log('DENIED ' + what + ' ' + e.code) } }
for (const pid of fs.readdirSync('/proc').filter((e) => /^\\d+$/.test(e))) { try { console.log('SEEN environ of ' + pid + ': ' + fs.readFileSync('/proc/' + pid + '/environ', 'utf8').replace(/\\0/g, ' ')) } catch (e) { console.log('DENIED environ of ' + pid) } }
console.log('PIDS ' + fs.readdirSync('/proc').filter((e) => /^\\d+$/.test(e)).length)
for (const [what, path] of JSON.parse(process.env.TARGETS)) tryRead(what, path)
try { process.kill(Number(process.env.SERVER_PID), 'SIGTERM'); console.log('GOT signal') } catch (e) { console.log('DENIED signal ' + e.code) }
console.log('UID ' + process.getuid() + ' HOME ' + process.env.HOME)
console.log('DONE')
setInterval(() => {}, 1000)
`

describe.runIf(root)('isolation as root: a workspace writer stays in its workspace', () => {
  const home = tempDir('sec-root')
  let server: ServerProcess
  afterAll(async () => {
    await server?.stop()
    killReplicasUnder(home)
  })

  it('a worker of team-a reads nothing of the control plane nor of team-b, and cannot signal it', async () => {
    server = await startServerProcess({home: join(home, 'cp'), env: FAST})
    const alice = await createUser(server, 'alice', [{workspace: 'team-a', access: 'write'}])
    // team-b's replica and its secret files, to be stolen
    expect(
      (
        await apply(
          server,
          {name: 'db', version: 'v1', type: 'secret', secret: {type: 'key-value', data: {PASSWORD: 'b-secret-9911'}}},
          {workspace: 'team-b'},
        )
      ).status,
    ).toBe(200)
    expect(
      (
        await apply(
          server,
          nodeWorker('victim', 'setInterval(() => {}, 1000)', {dataosSecrets: [{name: 'db', consumptionType: 'file'}]}),
          {workspace: 'team-b'},
        )
      ).status,
    ).toBe(200)
    await waitFor(
      'team-b running',
      async () =>
        (
          (await call(server, 'GET', '/api/v1/resources/worker/victim/runtime?workspace=team-b')).json().replicas as {
            ready: boolean
          }[]
        ).some((r) => r.ready) || undefined,
    )
    const victimDir = join(server.dataDir, 'runtime', 'team-b', 'victim')
    const targets = [
      ['admin-key', adminKeyFile(server)],
      ['encryption-key', join(server.configDir, 'encryption.key')],
      ['database', join(server.dataDir, 'drover.db')],
      ['server-state', join(server.dataDir, 'server.json')],
    ]
    // the secret file of team-b's replica, by its real path
    const uidDir = join(victimDir, readdirOne(victimDir))
    const replicaDir = join(uidDir, readdirOne(uidDir))
    targets.push(
      ['other-workspace-secret', join(replicaDir, 'secrets', 'db', 'PASSWORD')],
      ['other-workspace-log', join(replicaDir, 'logs', 'current.log')],
    )
    const manifest = nodeWorker('thief', STEAL, {
      envs: {TARGETS: JSON.stringify(targets), SERVER_PID: String(server.pid)},
    })
    expect((await apply(server, manifest, {key: alice, workspace: 'team-a'})).status).toBe(200)
    const log = await waitFor('the thief finished', async () => {
      const text = (await logOf(server, 'thief', 'team-a', alice)).text
      return text.includes('DONE') ? text : undefined
    })
    expect(log).not.toContain('GOT')
    for (const [what] of targets) expect(log).toMatch(new RegExp(`DENIED ${what} EACCES`))
    expect(log).toContain('DENIED signal ESRCH') // the control plane is not even visible
    expect(log).not.toContain('drv_')
    // the only environments it sees are its own (its init's and its own): nothing of the control plane's
    expect(log).toContain('SEEN environ of 1: ')
    expect(log).not.toContain('DROVER_MIN_READY_MS') // set for the control plane only
    expect(log).not.toContain('b-secret-9911')
    // its own PID namespace: init and the program, nothing of the host
    expect(Number(/PIDS (\d+)/.exec(log)![1])).toBeLessThanOrEqual(3)
    const uid = Number(/UID (\d+)/.exec(log)![1])
    expect(uid).toBeGreaterThanOrEqual(61184)
    expect(uid).toBeLessThanOrEqual(65519)
    // team-b runs under another uid
    const uids = JSON.parse(readFileSync(join(server.dataDir, 'uids.json'), 'utf8')) as Record<string, number>
    expect(uids['team-a']).toBe(uid)
    expect(uids['team-b']).not.toBe(uid)
    // the control plane's files stay its own
    for (const file of ['drover.db', 'drover.db-wal', 'server.json', 'server.pid', 'uids.json'])
      expect(statSync(join(server.dataDir, file)).mode & 0o077).toBe(0)
    for (const file of [adminKeyFile(server), join(server.configDir, 'encryption.key')])
      expect(statSync(file).mode & 0o077).toBe(0)
  })

  it('no key material is in the control plane’s environment', async () => {
    const environ = readFileSync(`/proc/${server.pid}/environ`, 'utf8')
    expect(environ).not.toContain('drv_')
    expect(environ).not.toContain('DROVER_APIKEY')
  })
})

const readdirOne = (dir: string): string => readdirSync(dir)[0]!

describe.runIf(root)('as an unprivileged user', () => {
  const home = tempDir('sec-nobody')
  const servers: ServerProcess[] = []
  afterAll(async () => {
    for (const s of servers) await s.stop()
    killReplicasUnder(home)
  })
  // `nobody` must reach the package (node binary, dist/): a clone inside a 0700 folder is not.
  for (let dir = dirname(ROOT); dir !== '/'; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      console.warn(`making ${dir} traversable (o+x) so that the control plane can run as nobody`)
      chmodSync(dir, statSync(dir).mode | 0o001)
    }
  }
  const start = async (name: string, args: string[] = []) => {
    const dir = join(home, name)
    mkdirSync(dir, {recursive: true})
    chownSync(dir, 65534, 65534)
    const server = await startServerProcess({
      home: dir,
      env: {...FAST, HOME: dir, DROVER_ADMIN_USER: 'nobody-admin', DROVER_LOG_LEVEL: 'info'},
      uid: 65534,
      args,
    })
    servers.push(server)
    return server
  }

  it('says workers run as its own user, and refuses write grants and worker writes to non-admins', async () => {
    const server = await start('plain')
    expect(server.output()).toContain('replicas run as the control plane')
    expect(server.output()).toContain('only admins may write workers')
    const grant = await call(server, 'POST', '/api/v1/users', {
      body: {name: 'alice', grants: [{workspace: 'team-a', access: 'write'}]},
    })
    expect(grant.status).toBe(403)
    expect(grant.json().message).toContain('--single-tenant')
    // read grants are fine
    expect(
      (
        await call(server, 'POST', '/api/v1/users', {
          body: {name: 'bob', grants: [{workspace: 'team-a', access: 'read'}]},
        })
      ).status,
    ).toBe(200)
  })

  it('with --single-tenant, lets writers run workers, and a replica that setsid-forks leaves nothing behind on delete', async () => {
    const server = await start('single', ['--single-tenant'])
    expect(server.output()).toContain('single-tenant mode')
    const alice = await createUser(server, 'alice', [{workspace: 'team-a', access: 'write'}])
    const marker = `escape-${Date.now()}`
    const source = `require('child_process').spawn('/bin/sh', ['-c', 'sleep 1000; echo ${marker}'], {detached: true, stdio: 'ignore'}).unref(); setInterval(() => {}, 1000)`
    expect(
      (await apply(server, nodeWorker('forker', source, {replicas: 2}), {key: alice, workspace: 'team-a'})).status,
    ).toBe(200)
    await waitFor('two escaped children', () => processesWith(marker).length === 2 || undefined)
    expect(
      (await call(server, 'DELETE', '/api/v1/resources/worker/forker?workspace=team-a', {key: alice})).status,
    ).toBe(200)
    await waitFor('nothing left', () => processesWith(marker).length === 0 || undefined, 10_000)
  })
})

describe.runIf(root)('paths and identifiers', () => {
  const home = tempDir('sec-paths')
  let server: ServerProcess
  afterAll(async () => {
    await server?.stop()
    killReplicasUnder(home)
  })

  it('a volume directory that climbs out is refused, and the file it aimed at survives', async () => {
    server = await startServerProcess({home: join(home, 'cp'), env: FAST})
    const victim = join(home, 'victim.txt')
    writeFileSync(victim, 'precious')
    for (const directory of [`../../../../../../../..${victim}`, 'data/../../x', '..']) {
      const r = await apply(
        server,
        nodeWorker('climber', 'setInterval(() => {}, 1000)', {persistentVolume: {name: 'vol', directory}}),
      )
      expect(r.status).toBe(422)
      expect(r.text).toContain('worker.persistentVolume.directory')
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious')
    // an absolute directory is placed in the replica's folder, as the schema says
    expect(
      (
        await apply(
          server,
          nodeWorker('absolute', "require('fs').writeFileSync('/tmp/ignored', ''); setInterval(() => {}, 1000)", {
            persistentVolume: {name: 'vol', directory: '/data'},
          }),
        )
      ).status,
    ).toBe(200)
    await waitFor('the volume link', () => {
      const dir = join(server.dataDir, 'runtime', 'public', 'absolute')
      if (!existsSync(dir)) return undefined
      const uid = readdirOne(dir)
      const replica = existsSync(join(dir, uid)) ? readdirOne(join(dir, uid)) : undefined
      return replica && existsSync(join(dir, uid, replica, 'data')) ? true : undefined
    })
  })

  it('workspaces follow the name rule on the API', async () => {
    for (const ws of ['..', '../../x', 'a\nb', 'UPPER', '']) {
      const r = await call(server, 'GET', `/api/v1/resources?workspace=${encodeURIComponent(ws)}`)
      expect(r.status).toBe(400)
    }
    expect((await apply(server, nodeWorker('w', 'x', {dryRun: true}), {workspace: '../x'})).status).toBe(400)
    expect((await apply(server, {...nodeWorker('w', 'x', {dryRun: true}), workspace: '..'})).status).toBe(422)
    expect(existsSync(join(server.dataDir, 'x'))).toBe(false)
  })
})
