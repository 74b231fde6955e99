// The built CLI against a real control plane: the local one it starts itself, and a remote one
// reached through contexts and DROVER_URL. Every server is stopped when the file ends.
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {type ServerProcess, adminKeyFile, startServerProcess, tempDir} from '../helpers/server.js'
import {ROOT, TEST_HOME, killServerIn, runCli} from '../helpers/run-cli.js'

const dataDir = join(TEST_HOME, 'data', 'drover')
afterAll(() => killServerIn(dataDir))

describe('the local control plane, started on demand', () => {
  it('starts itself on the first apply, saying so on stderr, and stores the worker', async () => {
    const r = await runCli(['apply', '-f', 'examples/worker-minimal.yaml'])
    expect(r.stdout).toBe('hello-worker:v1beta:worker (public): created\n')
    expect(r.stderr).toMatch(
      /^drover: started the local control plane at http:\/\/127\.0\.0\.1:\d+ \(pid \d+; logs: .*server\.log; stop it with: drover server stop\)\n$/,
    )
    expect(r.code).toBe(0)
    const key = join(TEST_HOME, 'config', 'drover', 'local-admin.key') // the default data folder's
    expect(statSync(key).mode & 0o777).toBe(0o600)
    expect(statSync(join(TEST_HOME, 'config', 'drover', 'encryption.key')).mode & 0o777).toBe(0o600)
  })

  it('keeps its admin key when another control plane starts on another data folder', async () => {
    const config = join(TEST_HOME, 'config', 'drover')
    const key = readFileSync(join(config, 'local-admin.key'), 'utf8')
    const other = await startServerProcess({home: tempDir('other-data'), env: {DROVER_CONFIG_DIR: config}})
    try {
      expect(readFileSync(join(config, 'local-admin.key'), 'utf8')).toBe(key)
      expect(other.adminKey).not.toBe(key.trim())
      expect(adminKeyFile(other)).toMatch(/local-admin-[0-9a-f]{8}\.key$/)
      const r = await runCli(['get', '-t', 'worker', '-n', 'hello-worker'])
      expect(r.code, r.stderr).toBe(0)
    } finally {
      await other.stop()
    }
  })

  it('reports unchanged on a second apply, and applies a folder computes and stacks first', async () => {
    const r = await runCli(['apply', '-f', 'examples'])
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'kube-runnable:v1:compute: created',
        'ticker:v1:stack: created',
        'db-credentials:v1:secret (public): created',
        'busy-worker:v1beta:worker (public): created',
        'order-consumer:v1beta:worker (public): created',
        'hello-worker:v1beta:worker (public): unchanged',
        '',
      ].join('\n'),
    })
  })

  it('lists workers with the DataOS columns', async () => {
    const r = await runCli(['get', '-t', 'worker'])
    expect(r.code).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    // Column widths follow the widest cell, and RUNTIME moves on as the scheduler starts the
    // workers (pending, progressing:0/1, running:1/1…): the columns are checked, not a moment.
    // The DataOS layout: cells separated by ` | `, a rule under the header.
    const cells = (line: string) => line.trim().split(/\s*\|\s*/)
    expect(lines[1]).toMatch(/^-+(\|-+){7}$/)
    expect(cells(lines[0]!)).toEqual(['NAME', 'VERSION', 'TYPE', 'WORKSPACE', 'STATUS', 'RUNTIME', 'OWNER', 'AGE'])
    const runtimeState = '(pending|(progressing|running|degraded|crashlooping):\\d+/\\d+)'
    expect(lines.slice(2).map((l) => cells(l).slice(0, 7).join(' '))).toEqual(
      ['busy-worker', 'hello-worker', 'order-consumer'].map((name) =>
        expect.stringMatching(new RegExp(`^${name} v1beta worker public active ${runtimeState} \\S+$`)),
      ),
    )
    expect(lines[2]).toMatch(/ \d+s$/)
  })

  it('shows only the caller’s own resources unless -a', async () => {
    const names = async (args: string[]) =>
      (await runCli(['get', '-t', 'stack', ...args])).stdout
        .trimEnd()
        .split('\n')
        .slice(2)
        .map((l) => l.split(/\s+/)[0])
    expect(await names([])).toEqual(['ticker'])
    expect(await names(['-a'])).toEqual(['command', 'node', 'ticker'])
    expect(await names(['-o', 'system'])).toEqual(['command', 'node'])
  })

  it('prints JSON and YAML', async () => {
    const json = JSON.parse((await runCli(['get', '-t', 'worker', '-n', 'hello-worker', '--output', 'json'])).stdout)
    expect(json.items).toHaveLength(1)
    expect(json.items[0].metadata).toMatchObject({id: 'worker:v1beta:hello-worker:public', generation: 1})
    const yaml = (await runCli(['get', '-t', 'worker', '-n', 'hello-worker', '--output', 'yaml'])).stdout
    expect(yaml).toMatch(/^- manifest:\n {4}name: hello-worker\n/)
  })

  it('prints details and events with -d', async () => {
    const r = await runCli(['get', '-i', 'hello-worker | v1beta | worker | public', '-d'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^# hello-worker:v1beta:worker\n# worker:v1beta:hello-worker:public\nname: hello-worker\n/)
    expect(r.stdout).toMatch(
      /\nEVENTS\nTIME +TYPE +REASON +MESSAGE\n\S+ +Normal +Applied +created by \S+ \(generation 1\)/,
    )
  })

  it('prints the field-level diff of a dry run, and stores nothing', async () => {
    const file = join(TEST_HOME, 'changed.yaml')
    writeFileSync(
      file,
      readFileSync(join(ROOT, 'examples/worker-minimal.yaml'), 'utf8').replace(
        'worker:\n',
        'worker:\n  replicas: 3\n  logLevel: DEBUG\n',
      ),
    )
    const r = await runCli(['apply', '-f', file, '--dry-run'])
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'hello-worker:v1beta:worker (public): would be updated (dry run)\n  ~ worker.replicas: 1 → 3\n  ~ worker.logLevel: "INFO" → "DEBUG"\n',
    })
    expect(
      JSON.parse((await runCli(['get', '-t', 'worker', '-n', 'hello-worker', '--output', 'json'])).stdout).items[0]
        .manifest.worker.replicas,
    ).toBe(1)
  })

  it('applies nothing when any manifest is invalid', async () => {
    const r = await runCli([
      'apply',
      '-f',
      'examples/worker-full.yaml',
      '-f',
      'test/fixtures/manifests/invalid/typo-fields.yaml',
    ])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('nothing applied: 1 of 2 documents invalid\n')
    expect(r.stdout).toContain('typo-fields.yaml:6:3: worker.replica: Unknown field; did you mean "replicas"?')
  })

  it('places what the control plane rejects at the file, line and column', async () => {
    const file = join(TEST_HOME, 'missing-stack.yaml')
    writeFileSync(
      file,
      'name: orphan\nversion: v1beta\ntype: worker\nworker:\n  compute: runnable-default\n  stack: flink:1.17\n  secrets: [nope]\n',
    )
    const r = await runCli(['apply', '-f', file])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(
      [
        'orphan:v1beta:worker (public): rejected',
        `  ${file}:6:10: worker.stack: Not found: stack "flink:1.17" is not registered; available: command:1.0, node:1.0, ticker:1.0`,
        `  ${file}:7:13: worker.secrets[0]: Not found: secret "nope" does not exist in workspace public; apply it first`,
        '',
      ].join('\n'),
    )
  })

  it('places what a stack’s stackSpec schema refuses at its line', async () => {
    const file = join(TEST_HOME, 'bad-spec.yaml')
    writeFileSync(
      file,
      'name: bad-spec\nversion: v1beta\ntype: worker\nworker:\n  compute: runnable-default\n  stack: command\n  stackSpec:\n    args: [x]\n    cmd: x\n',
    )
    const r = await runCli(['apply', '-f', file])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(
      [
        'bad-spec:v1beta:worker (public): rejected',
        `  ${file}:7:3: worker.stackSpec.command: Required value (schema of stack command:1.0)`,
        `  ${file}:9:5: worker.stackSpec.cmd: Unknown field (schema of stack command:1.0)`,
        '',
      ].join('\n'),
    )
  })

  it('masks secret values unless asked, and reveals them to its admin', async () => {
    const masked = await runCli(['get', '-t', 'secret', '-n', 'db-credentials', '-d'], {env: {DB_PASSWORD: undefined}})
    expect(masked.stdout).toContain('    password: "******"\n')
    expect(masked.stdout).not.toContain('change-me')
    const revealed = JSON.parse(
      (
        await runCli([
          'get',
          '-t',
          'secret',
          '-n',
          'db-credentials',
          '-w',
          'public',
          '--unSanitize',
          '--output',
          'json',
        ])
      ).stdout,
    )
    expect(revealed.items[0].manifest.secret.data).toEqual({username: 'orders', password: 'change-me'})
  })

  it('deletes by -i, --id, -f and -t/-n, with the documented exit codes', async () => {
    const refused = await runCli(['delete', '-t', 'secret', '-n', 'db-credentials'])
    expect(refused).toEqual({
      code: 4,
      stderr: '',
      stdout:
        'db-credentials:v1:secret (public): refused\n  secret db-credentials is still used by worker:v1beta:order-consumer:public; delete those first, or pass --force\n',
    })
    expect((await runCli(['delete', '-i', 'busy-worker | v1beta | worker | public'])).stdout).toBe(
      'busy-worker:v1beta:worker (public): deleted\n',
    )
    expect((await runCli(['delete', '--id', 'worker:v1beta:order-consumer:public'])).stdout).toBe(
      'order-consumer:v1beta:worker (public): deleted\n',
    )
    expect((await runCli(['delete', '-t', 'secret', '-n', 'db-credentials', '-w', 'public'])).stdout).toBe(
      'db-credentials:v1:secret (public): deleted\n',
    )
    expect((await runCli(['delete', '-f', 'examples/worker-minimal.yaml'])).stdout).toBe(
      'hello-worker:v1beta:worker (public): deleted\n',
    )
    expect(await runCli(['delete', '-f', 'examples/worker-minimal.yaml'])).toEqual({
      code: 3,
      stderr: '',
      stdout: 'hello-worker:v1beta:worker (public): not found\n',
    })
    expect((await runCli(['delete', '-t', 'worker'])).code).toBe(2)
  })

  it('reports on and stops the control plane', async () => {
    const status = await runCli(['server', 'status'])
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(
      /^running at http:\/\/127\.0\.0\.1:\d+ \(pid \d+, version \S+, up \d+s, ready\); data: /,
    )
    expect((await runCli(['server', 'stop'])).stdout).toMatch(/^control plane stopped \(pid \d+\)\n$/)
    expect(await runCli(['server', 'status'])).toEqual({
      code: 5,
      stdout: '',
      stderr:
        'Error: the local control plane is not running\n  start it: drover server start --detach (or run any command)\n',
    })
    expect((await runCli(['server', 'stop'])).stderr).toBe('the control plane is not running\n')
  })

  it('keeps what it stored across a restart', async () => {
    const start = await runCli(['server', 'start', '--detach'])
    expect(start.stdout).toMatch(/^control plane running at http:\/\/127\.0\.0\.1:\d+ \(pid \d+\); logs: /)
    const r = await runCli(['get', '-t', 'stack', '-n', 'ticker', '-a', '--output', 'json'])
    expect(JSON.parse(r.stdout).items[0].metadata.id).toBe('stack:v1:ticker')
    expect((await runCli(['server', 'stop'])).code).toBe(0)
  })
})

describe('a remote control plane', () => {
  const home = tempDir('remote')
  let server: ServerProcess
  afterAll(async () => server?.kill())

  it('is reached with DROVER_URL and DROVER_APIKEY (CI)', async () => {
    server = await startServerProcess({home})
    const r = await runCli(['apply', '-f', 'examples/worker-minimal.yaml', '-w', 'ci'], {
      env: {DROVER_URL: server.url, DROVER_APIKEY: server.adminKey},
    })
    expect(r).toEqual({code: 0, stderr: '', stdout: 'hello-worker:v1beta:worker (ci): created\n'})
  })

  it('refuses a bad key (exit 1) and says when it cannot be reached (exit 5)', async () => {
    const bad = await runCli(['get', '-t', 'worker'], {env: {DROVER_URL: server.url, DROVER_APIKEY: 'nope'}})
    expect(bad.code).toBe(1)
    expect(bad.stderr).toBe(
      'Error: missing or invalid API key: send "Authorization: Bearer <key>"\n  check the API key of the current context (drover context list) or DROVER_APIKEY\n',
    )
    const dead = await runCli(['get', '-t', 'worker'], {env: {DROVER_URL: 'http://127.0.0.1:9', DROVER_APIKEY: 'x'}})
    expect(dead).toEqual({
      code: 5,
      stdout: '',
      stderr:
        'Error: cannot reach the control plane at http://127.0.0.1:9: connection refused\n  start it (drover server start) or check where the CLI points: drover context list\n',
    })
  })

  it('is remembered as a context by login, and used until another is chosen', async () => {
    const keyFile = join(home, 'admin.key')
    writeFileSync(keyFile, server.adminKey)
    const login = await runCli(['login', '--url', server.url, '--api-key-file', keyFile, '-n', 'prod'])
    expect(login).toEqual({
      code: 0,
      stdout: '',
      stderr: expect.stringMatching(
        /^logged in to http:\/\/127\.0\.0\.1:\d+ as \S+ \(admin\); context prod is in use\n$/,
      ),
    })
    expect(statSync(join(TEST_HOME, 'config', 'drover', 'contexts.json')).mode & 0o777).toBe(0o600)
    const list = await runCli(['context', 'list'])
    expect(list.stdout).toMatch(
      /^CURRENT {3}NAME {4}URL +WORKSPACE\n {10}local {3}\(embedded control plane, started on demand\) {3}public\n\* {9}prod {4}http:\/\/127\.0\.0\.1:\d+ +public\n$/,
    )
    const got = await runCli(['get', '-t', 'worker', '-w', 'ci', '--output', 'json'])
    expect(JSON.parse(got.stdout).items.map((i: {metadata: {id: string}}) => i.metadata.id)).toEqual([
      'worker:v1beta:hello-worker:ci',
    ])
    // A default workspace for the context, as a kubectl context's namespace: where -w is not given.
    expect((await runCli(['context', 'use', '-n', 'prod', '-w', 'ci'])).stdout).toBe(
      'using context prod (workspace ci)\n',
    )
    expect((await runCli(['context', 'list'])).stdout).toMatch(/\n\* +prod +http:\S+ +ci\n$/)
    const runtime = await runCli(['get', 'runtime', '-n', 'hello-worker', '--output', 'json'])
    expect(JSON.parse(runtime.stdout).id).toBe('worker:v1beta:hello-worker:ci')
    expect((await runCli(['describe', '-n', 'hello-worker'])).stdout).toMatch(/\nWorkspace: +ci\n/)
    expect((await runCli(['apply', '-f', 'examples/worker-minimal.yaml'])).stdout).toMatch(
      /^hello-worker:v1beta:worker \(ci\): (unchanged|updated)\n/,
    )
    const elsewhere = await runCli(['delete', '-t', 'worker', '-n', 'hello-worker', '-w', 'public'])
    expect(elsewhere.code).toBe(3) // -w still wins
    expect(elsewhere.stdout).toBe('hello-worker:v1beta:worker (public): not found\n')
    expect((await runCli(['context', 'use', '-n', 'prod', '-w', 'not a name'])).code).toBe(2)
    expect((await runCli(['context', 'use', '-n', 'prod', '-w', 'public'])).stdout).toBe(
      'using context prod (workspace public)\n',
    )
    expect(
      JSON.parse(readFileSync(join(TEST_HOME, 'config', 'drover', 'contexts.json'), 'utf8')).contexts.prod,
    ).not.toHaveProperty('workspace')
    expect((await runCli(['context', 'use', '-n', 'nope'])).code).toBe(3)
    expect((await runCli(['context', 'use', '-n', 'local', '-w', 'team-a'])).stdout).toBe(
      'using context local (workspace team-a)\n',
    )
    expect((await runCli(['context', 'list'])).stdout).toMatch(/\n\* +local +\(embedded[^\n]+ +team-a\n/)
    expect((await runCli(['context', 'use', '-n', 'local', '-w', 'public'])).code).toBe(0)
    expect((await runCli(['context', 'use', '-n', 'local'])).stdout).toBe('using context local (workspace public)\n')
    expect((await runCli(['context', 'remove', '-n', 'prod'])).stdout).toBe('context prod removed\n')
  })

  it('gives a user only the workspaces it was granted', async () => {
    const created = await runCli(['user', 'create', '-n', 'ci', '--grant', 'ci:write'], {
      env: {DROVER_URL: server.url, DROVER_APIKEY: server.adminKey},
    })
    expect(created.code).toBe(0)
    const key = created.stdout.trim()
    expect(key).toMatch(/^drv_/)
    const env = {DROVER_URL: server.url, DROVER_APIKEY: key}
    expect((await runCli(['apply', '-f', 'examples/worker-autoscaling.yaml', '-w', 'ci'], {env})).stdout).toBe(
      'busy-worker:v1beta:worker (ci): created\n',
    )
    const denied = await runCli(['apply', '-f', 'examples/worker-autoscaling.yaml', '-w', 'public'], {env})
    expect(denied).toEqual({
      code: 1,
      stderr: '',
      stdout: 'busy-worker:v1beta:worker (public): rejected\n  user ci may not write workspace public\n',
    })
    const schema = await runCli(['develop', 'schema', 'get', 'resource', '-t', 'worker'], {env})
    expect(schema.stdout).toBe(readFileSync(join(ROOT, 'schemas/worker.v1beta.schema.json'), 'utf8'))
  })
})

describe('get -r', () => {
  it('prints again every --refreshRate seconds until interrupted', async () => {
    const {spawn} = await import('node:child_process')
    const {NODE, RUN_JS, cliEnv} = await import('../helpers/run-cli.js')
    await runCli(['apply', '-f', 'examples/worker-minimal.yaml'])
    const child = spawn(NODE, [RUN_JS, 'get', '-t', 'worker', '-r', '--refreshRate', '1'], {
      cwd: ROOT,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      let out = ''
      child.stdout.setEncoding('utf8')
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no second refresh: ${out}`)), 10_000)
        child.stdout.on('data', (d: string) => {
          out += d
          if ((out.match(/^NAME +\| VERSION/gm) ?? []).length >= 2) {
            clearTimeout(timer)
            resolve()
          }
        })
      })
      expect(out).toMatch(
        /^\d{4}-\d\d-\d\dT\S+Z\nNAME +\| VERSION \| TYPE +\| WORKSPACE \| STATUS \| RUNTIME +\| OWNER +\| AGE\n-+\|[-|]+\nhello-worker +\| v1beta/,
      )
    } finally {
      child.kill('SIGINT')
    }
    expect((await runCli(['server', 'stop'])).code).toBe(0)
  })
})
