// Users and keys through the built CLI against a real control plane: create (and refuse an
// existing name), update, list, rotate (old keys refused at once), delete, whoami, version.
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {TEST_HOME, runCli} from '../helpers/run-cli.js'
import {type ServerProcess, startServerProcess, tempDir} from '../helpers/server.js'

describe('users and keys', () => {
  const home = tempDir('users')
  let server: ServerProcess
  let admin: Record<string, string>
  const as = (key: string) => ({env: {DROVER_URL: server.url, DROVER_APIKEY: key}})
  beforeAll(async () => {
    server = await startServerProcess({home})
    admin = {DROVER_URL: server.url, DROVER_APIKEY: server.adminKey}
  })
  afterAll(async () => server?.kill())

  it('creates a user once; the same name again is refused, --update says what changed', async () => {
    const created = await runCli(['user', 'create', '-n', 'ci', '-g', 'ci:write'], {env: admin})
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/^drv_\S+\n$/)
    const again = await runCli(['user', 'create', '-n', 'ci', '-g', 'ci:read'], {env: admin})
    expect(again).toEqual({
      code: 4,
      stdout: '',
      stderr: 'Error: user ci already exists: --update replaces its permissions, user rotate-key issues a new key\n',
    })
    const updated = await runCli(['user', 'create', '-n', 'ci', '-g', 'ci:read', '-g', 'ops:write', '--update'], {
      env: admin,
    })
    expect(updated.stdout).toBe(
      'user ci: updated\n  grant ci:read added\n  grant ops:write added\n  grant ci:write removed\n',
    )
    const unchanged = await runCli(['user', 'create', '-n', 'ci', '-g', 'ops:write', '-g', 'ci:read', '--update'], {
      env: admin,
    })
    expect(unchanged.stdout).toBe('user ci: unchanged\n')
    // the key issued first still works, with the new permissions
    const who = await runCli(['whoami'], as(created.stdout.trim()))
    expect(who.stdout).toBe(`ci on ${server.url} (context DROVER_URL)\npermissions: ci:read, ops:write\n`)
  })

  it('lists users with their permissions and keys, for admins only', async () => {
    const list = await runCli(['user', 'list'], {env: admin})
    expect(list.code).toBe(0)
    const rows = list.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/ {2,}/))
    expect(rows[0]).toEqual(['USER', 'PERMISSIONS', 'KEYS'])
    expect(rows).toContainEqual(['ci', 'ci:read, ops:write', '1'])
    const json = JSON.parse((await runCli(['user', 'list', '--output', 'json'], {env: admin})).stdout)
    expect(json.items.find((u: {user: string}) => u.user === 'ci')).toEqual({
      user: 'ci',
      admin: false,
      grants: [
        {workspace: 'ci', access: 'read'},
        {workspace: 'ops', access: 'write'},
      ],
      keys: 1,
    })
    const ciKey = (await runCli(['user', 'rotate-key', '-n', 'ci'], {env: admin})).stdout.trim()
    expect((await runCli(['user', 'list'], as(ciKey))).code).toBe(1) // 403: not an admin
  })

  it('rotates a key: the new one works, every older one is refused at once', async () => {
    const first = (await runCli(['user', 'create', '-n', 'deploy', '-g', 'public:write'], {env: admin})).stdout.trim()
    expect((await runCli(['get', '-t', 'worker'], as(first))).code).toBe(0) // cached by the server's key cache
    const rotated = await runCli(['user', 'rotate-key', '-n', 'deploy'], {env: admin})
    expect(rotated.stderr).toBe('user deploy: new API key, shown only this once; 1 older key revoked:\n')
    const second = rotated.stdout.trim()
    expect(second).toMatch(/^drv_/)
    expect(second).not.toBe(first)
    // No wait: revocation is effective when the answer arrives, not after the 10 s key cache.
    const old = await runCli(['get', '-t', 'worker'], as(first))
    expect(old.code).toBe(1)
    expect(old.stderr).toContain('missing or invalid API key')
    expect((await runCli(['get', '-t', 'worker'], as(second))).code).toBe(0)
  })

  it('rotates your own key and gives the current context the new one', async () => {
    const key = (await runCli(['user', 'create', '-n', 'me', '-g', 'public:read'], {env: admin})).stdout.trim()
    const keyFile = join(home, 'me.key')
    writeFileSync(keyFile, key)
    expect((await runCli(['login', '--url', server.url, '--api-key-file', keyFile, '-n', 'mine'])).code).toBe(0)
    const rotated = await runCli(['user', 'rotate-key'])
    expect(rotated.code).toBe(0)
    expect(rotated.stderr).toBe(
      'user me: new API key (saved in context mine), shown only this once; 1 older key revoked:\n',
    )
    const contexts = JSON.parse(readFileSync(join(TEST_HOME, 'config', 'drover', 'contexts.json'), 'utf8'))
    expect(contexts.contexts.mine.apiKey).toBe(rotated.stdout.trim())
    expect((await runCli(['whoami'])).stdout).toBe(`me on ${server.url} (context mine)\npermissions: public:read\n`)
    expect((await runCli(['get', '-t', 'worker'], as(key))).code).toBe(1)
    expect((await runCli(['context', 'use', '-n', 'local'])).code).toBe(0)
  })

  it('deletes a user: its keys are refused at once; the local admin and yourself are kept', async () => {
    const key = (await runCli(['user', 'create', '-n', 'temp', '-g', 'public:read'], {env: admin})).stdout.trim()
    expect((await runCli(['get', '-t', 'worker'], as(key))).code).toBe(0)
    expect((await runCli(['user', 'delete', '-n', 'temp'], {env: admin})).stdout).toBe(
      'user temp: deleted; its keys no longer work\n',
    )
    expect((await runCli(['get', '-t', 'worker'], as(key))).code).toBe(1)
    expect((await runCli(['user', 'delete', '-n', 'temp'], {env: admin})).code).toBe(3)
    const me = JSON.parse((await runCli(['whoami', '--output', 'json'], {env: admin})).stdout)
    const local = await runCli(['user', 'delete', '-n', me.user], {env: admin})
    expect(local.code).toBe(1)
    expect(local.stderr).toContain('is the local admin')
    expect((await runCli(['user', 'rotate-key'], {env: admin})).code).toBe(1)
    const other = (await runCli(['user', 'create', '-n', 'ops', '--admin'], {env: admin})).stdout.trim()
    const self = await runCli(['user', 'delete', '-n', 'ops'], as(other))
    expect(self.stderr).toContain('user ops may not delete itself')
  })

  it('version shows the CLI and the control plane; --client asks no server', async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'))
    const both = await runCli(['version'], {env: admin})
    const [clientLine, serverLine] = both.stdout.split('\n')
    expect(clientLine).toBe(
      `client: drover ${pkg.version} (node ${clientLine!.match(/v24\.\d+\.\d+/)?.[0]}, linux-x64)`,
    )
    expect(serverLine).toBe(`control plane: drover ${pkg.version} at ${server.url}`)
    const client = await runCli(['version', '--client', '--output', 'json'], {
      env: {DROVER_URL: 'http://127.0.0.1:9', DROVER_APIKEY: 'x'},
    })
    expect(client.code).toBe(0)
    expect(JSON.parse(client.stdout)).toEqual({
      client: {
        version: pkg.version,
        node: expect.stringMatching(/^v24\./),
        platform: `${process.platform}-${process.arch}`,
      },
    })
    const dead = await runCli(['version'], {env: {DROVER_URL: 'http://127.0.0.1:9', DROVER_APIKEY: 'x'}})
    expect(dead.code).toBe(5)
    expect(dead.stdout).toMatch(
      /^client: drover .*\ncontrol plane: cannot reach the control plane at http:\/\/127\.0\.0\.1:9: connection refused\n$/,
    )
  })
})
