// The built CLI as a subprocess: what users type, what they see, and the exit codes.
import {spawn} from 'node:child_process'
import {type Server, createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {NODE, ROOT, RUN_JS, cliEnv, runCli} from '../helpers/run-cli.js'
import {waitFor} from '../helpers/wait.js'

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}

describe('drover', () => {
  it('--version names itself and the Node it runs on', async () => {
    const r = await runCli(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^drover/${pkg.version.replaceAll('.', '\\.')} linux-x64 node-v24\\.`))
  })

  it.each([
    [['aply'], 'unknown command "aply"; did you mean "apply"?'],
    [['apply', '--nope', '-f', 'x'], 'Nonexistent flag: --nope'],
    [['apply'], 'Missing required flag manifestFile'],
    [['develop', 'schema', 'generate', '-t', 'pod'], 'Expected --type=pod to be one of: worker, stack, secret'],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const r = await runCli(args)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(message)
  })
})

describe('apply --lint', () => {
  const examples = [
    'examples/compute.yaml:8: kube-runnable:v1:compute: valid',
    'examples/secret.yaml:4: db-credentials:v1:secret (public): valid',
    'examples/stack.yaml:5: ticker:v1:stack: valid',
    'examples/worker-autoscaling.yaml:5: busy-worker:v1beta:worker (public): valid',
    'examples/worker-full.yaml:5: order-consumer:v1beta:worker (public): valid',
    'examples/worker-minimal.yaml:3: hello-worker:v1beta:worker (public): valid',
  ]

  it('prints one line per resource and exits 0 when all are valid', async () => {
    const r = await runCli(['apply', '--lint', '-f', 'examples'])
    expect(r).toEqual({code: 0, stdout: `${examples.join('\n')}\n`, stderr: '6 documents: 6 valid, 0 invalid\n'})
  })

  it('takes several -f, and - for standard input', async () => {
    const input = readFileSync(join(ROOT, 'examples/worker-minimal.yaml'))
    const r = await runCli(['apply', '-l', '-f', 'examples/secret.yaml', '-f', '-'], {input})
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${examples[1]}\n<stdin>:3: hello-worker:v1beta:worker (public): valid\n`)
  })

  it('prints the same document for --json and --output json', async () => {
    const a = await runCli(['apply', '-l', '-f', 'examples/stack.yaml', '--json'])
    const b = await runCli(['apply', '-l', '-f', 'examples/stack.yaml', '--output', 'json'])
    expect(a.code).toBe(0)
    expect(a.stdout).toBe(b.stdout)
    expect(JSON.parse(a.stdout)).toEqual({
      valid: 1,
      invalid: 0,
      resources: [
        {
          file: 'examples/stack.yaml',
          line: 5,
          id: 'stack:v1:ticker',
          type: 'stack',
          version: 'v1',
          name: 'ticker',
          valid: true,
          problems: [],
          warnings: [],
        },
      ],
    })
  })

  it('requires a manifest workspace to agree with -w', async () => {
    const r = await runCli([
      'apply',
      '-l',
      '-f',
      'test/fixtures/manifests/valid/dataos-indexer-style.yaml',
      '-w',
      'public',
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      'dataos-indexer-style.yaml:7:12: workspace: Invalid value: "system": does not match --workspace public; remove workspace: from the manifest or change -w',
    )
  })

  it('fails for a path that does not exist, naming it', async () => {
    const r = await runCli(['apply', '-l', '-f', 'nope.yaml'])
    expect(r).toEqual({code: 1, stdout: '', stderr: 'Error: nope.yaml: no such file or folder\n'})
  })
})

describe('--output json on every command', () => {
  it('develop generate prints the starter as JSON, develop schema generate the schema', async () => {
    const starter = await runCli(['develop', 'generate', '-t', 'worker', '-n', 'x', '--output', 'json'])
    expect(starter.code).toBe(0)
    expect(JSON.parse(starter.stdout)).toMatchObject({name: 'x', version: 'v1beta', type: 'worker'})
    const schema = await runCli(['develop', 'schema', 'generate', '-t', 'worker', '--output', 'json'])
    expect(JSON.parse(schema.stdout)).toMatchObject({title: 'drover worker v1beta'})
  })
})

describe('apply --lint warnings', () => {
  it('accepts a utilization target without requests (DataOS fills them) with a warning, exit 0', async () => {
    const yaml = [
      'name: scaled',
      'version: v1beta',
      'type: worker',
      'worker:',
      '  stack: node',
      '  compute: runnable-default',
      '  stackSpec: {source: "0"}',
      '  autoscaling:',
      '    enabled: true',
      '    maxReplicas: 3',
      '    targetMemoryUtilizationPercentage: 80',
      '',
    ].join('\n')
    const r = await runCli(['apply', '-l', '-f', '-'], {input: yaml})
    expect(r).toEqual({
      code: 0,
      stdout: [
        '<stdin>:1: scaled:v1beta:worker (public): valid',
        '  <stdin>:11:5: warning: worker.autoscaling.targetMemoryUtilizationPercentage: Defaulted value: utilization is measured against worker.resources.requests.memory, which is not set: the control plane\'s default memory request applies; set worker.resources.requests.memory (e.g. "256Mi")',
        '',
      ].join('\n'),
      stderr: '1 document: 1 valid, 0 invalid, 1 warning\n',
    })
    const json = JSON.parse((await runCli(['apply', '-l', '-f', '-', '--json'], {input: yaml})).stdout)
    expect(json).toMatchObject({
      valid: 1,
      invalid: 0,
      resources: [{valid: true, problems: [], warnings: [{code: 'Defaulted', severity: 'warning', line: 11}]}],
    })
  })
})

describe('apply --de-ref', () => {
  it('prints the manifests interpolated, with defaults filled and credentials masked', async () => {
    const r = await runCli(['apply', '-d', '-f', 'examples/secret.yaml', '-f', 'examples/worker-full.yaml'], {
      env: {GREETING: 'bonjour', DB_PASSWORD: 's3cret'},
    })
    expect(r.code).toBe(0)
    expect(r.stdout).not.toContain('s3cret')
    expect(r.stdout).toContain('    password: "******"\n')
    expect(r.stdout).toContain('    GREETING: bonjour\n')
    expect(r.stdout).toContain('  dryRun: false\n')
    expect(r.stdout).toContain('layer: user\n')
    expect(r.stdout.split('---\n')).toHaveLength(2)
  })

  it('prints problems instead of manifests when any is invalid', async () => {
    const r = await runCli(['apply', '-d', '-f', 'test/fixtures/manifests/invalid/typo-fields.yaml'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('worker.replica: Unknown field; did you mean "replicas"?')
  })

  it('includes the manifests in JSON output', async () => {
    const r = await runCli(['apply', '-d', '-f', 'examples/worker-minimal.yaml', '--output', 'json'])
    const out = JSON.parse(r.stdout)
    expect(out.resources[0].manifest.worker).toMatchObject({
      replicas: 1,
      logLevel: 'INFO',
      dryRun: false,
      stack: 'node',
    })
  })
})

describe('hostile input', () => {
  let dir: string
  const lines: Record<string, string> = {}
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'drover-hostile-'))
    const write = (name: string, content: string | Buffer) => writeFileSync(join(dir, name), content)
    write('empty.yaml', '')
    write('not-yaml.yaml', 'key: [unclosed\nother: }\n')
    write('binary.yaml', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0xff, 0xfe]))
    write('latin1.yaml', Buffer.from('name: caf\xe9\n', 'latin1'))
    write('scalar.yaml', 'hello\n')
    write('list.yaml', '- a\n- b\n')
    write('duplicate.yaml', 'name: a\nname: b\n')
    let bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for (let i = 1; i < 10; i++) {
      const [c, p] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)]
      bomb += `${c}: &${c} [${Array(9).fill(`*${p}`).join(',')}]\n`
    }
    write('bomb.yaml', bomb)
    write('huge.yaml', Buffer.alloc(50 * 1024 * 1024, 'a'))
    write('deep.yaml', `${'['.repeat(10_000)}${']'.repeat(10_000)}\n`)
    write('tabs.yaml', 'worker:\n\tstack: x\n')
    mkdirSync(join(dir, 'empty-folder'))
    writeFileSync(join(dir, 'empty-folder', 'notes.txt'), 'not a manifest')
    Object.assign(lines, {
      'empty.yaml': 'empty.yaml: the file is empty: no manifest in it',
      'not-yaml.yaml':
        'not-yaml.yaml:2:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'binary.yaml': 'binary.yaml: not a text file (it contains NUL bytes); a manifest is UTF-8 YAML or JSON',
      'latin1.yaml': 'latin1.yaml: not a UTF-8 text file; a manifest is UTF-8 YAML or JSON',
      'scalar.yaml':
        'scalar.yaml:1:1: Invalid document: a manifest must be a mapping (name, version, type, …), not a string',
      'list.yaml': 'list.yaml:1:1: Invalid document: a manifest must be a mapping (name, version, type, …), not a list',
      'duplicate.yaml': 'duplicate.yaml:2:1: invalid YAML: duplicate key "name"; remove one of them',
      'bomb.yaml':
        'bomb.yaml:1:1: too many alias expansions (more than 100): refusing a possible billion-laughs document',
      'huge.yaml': 'huge.yaml: file is 50.0 MiB; a manifest file may be at most 4.0 MiB',
      'deep.yaml': 'deep.yaml:1:101: nesting is deeper than 100 levels',
      'tabs.yaml': 'tabs.yaml:2:1: invalid YAML: Tabs are not allowed as indentation; indent with spaces',
    })
  })
  afterAll(() => rmSync(dir, {recursive: true, force: true}))

  it.each([
    'empty.yaml',
    'not-yaml.yaml',
    'binary.yaml',
    'latin1.yaml',
    'scalar.yaml',
    'list.yaml',
    'duplicate.yaml',
    'bomb.yaml',
    'huge.yaml',
    'deep.yaml',
    'tabs.yaml',
  ])('%s: one clear line, exit 1, no stack trace', async (name) => {
    const r = await runCli(['apply', '--lint', '-f', name], {cwd: dir, timeoutMs: 5000})
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(`${lines[name]}\n`)
    expect(r.stderr).toBe('1 document: 0 valid, 1 invalid\n')
  })

  it('a folder without manifests', async () => {
    const r = await runCli(['apply', '--lint', '-f', 'empty-folder'], {cwd: dir})
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Error: empty-folder: no manifest files (*.yaml, *.yml, *.json) in this folder\n  use -R to include subfolders\n',
    })
  })

  it('a byte-order mark and CRLF line ends are read as text, with the right positions', async () => {
    const text =
      '\uFEFFname: w\r\nversion: v1beta\r\ntype: worker\r\nworker:\r\n  stack: node\r\n  compute: runnable-default\r\n  replica: 2\r\n'
    writeFileSync(join(dir, 'windows.yaml'), text)
    const r = await runCli(['apply', '--lint', '-f', 'windows.yaml'], {cwd: dir})
    expect(r.code).toBe(1)
    expect(r.stdout).toBe(
      'windows.yaml:1: w:v1beta:worker (public): invalid\n  windows.yaml:7:3: worker.replica: Unknown field; did you mean "replicas"?\n',
    )
  })
})

describe('develop', () => {
  it('schema generate prints the committed schema', async () => {
    const r = await runCli(['develop', 'schema', 'generate', '-t', 'worker', '-v', 'v1beta'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'schemas/worker.v1beta.schema.json'), 'utf8'))
  })

  it('schema generate --out writes a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drover-schema-'))
    try {
      const out = join(dir, 'secret.json')
      const r = await runCli(['develop', 'schema', 'generate', '-t', 'secret', '--out', out])
      expect(r).toEqual({code: 0, stdout: '', stderr: `wrote ${out}\n`})
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(ROOT, 'schemas/secret.v1.schema.json'), 'utf8'))
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it.each(['worker', 'stack', 'secret'])('generate -t %s prints a starter manifest that validates', async (type) => {
    const r = await runCli(['develop', 'generate', '-t', type, '-n', `my-${type}`])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      new RegExp(`^# yaml-language-server: \\$schema=schemas/${type}\\.v1(beta)?\\.schema\\.json\\n`),
    )
    // Elsewhere, the path is relative to that folder: never the machine's absolute path.
    const away = await runCli(['develop', 'generate', '-t', type, '-n', `my-${type}`], {cwd: join(ROOT, 'test')})
    expect(away.stdout).toMatch(new RegExp(`^# yaml-language-server: \\$schema=\\.\\./schemas/${type}\\.`))
    const lint = await runCli(['apply', '-l', '-f', '-'], {input: r.stdout, env: {PASSWORD: undefined}})
    expect(lint.stderr).toBe('1 document: 1 valid, 0 invalid\n')
    expect(lint.code).toBe(0)
  })

  it('generate refuses a bad name', async () => {
    const r = await runCli(['develop', 'generate', '-t', 'worker', '-n', 'Bad_Name'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      `Error: --name "Bad_Name": must consist of lower case letters, digits or '-', start with a letter and end with a letter or digit (e.g. 'my-worker')\n`,
    )
  })
})

describe('a reader that goes away', () => {
  // `drover … | head -1`: the pipe closes while drover still writes. It ends quietly with 141
  // (what SIGPIPE gives other Unix tools), never a stack trace — on both paths.
  it.each([
    ['the fast path', {}],
    ['oclif', {DROVER_NO_FAST_PATH: '1'}],
  ])('%s', async (_path, env) => {
    const dir = mkdtempSync(join(tmpdir(), 'drover-epipe-'))
    try {
      const one = readFileSync(join(ROOT, 'examples/worker-minimal.yaml'), 'utf8')
      const many = Array.from({length: 3000}, (_, i) => one.replace(/^name: .*$/m, `name: w-${i}`))
      writeFileSync(join(dir, 'many.yaml'), many.join('\n---\n'))
      const child = spawn(NODE, [RUN_JS, 'apply', '--lint', '-f', join(dir, 'many.yaml')], {
        env: {...process.env, ...env},
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
      child.stdout.once('data', () => child.stdout.destroy())
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
      expect(stderr).not.toMatch(/EPIPE|at .*\(|node:internal/)
      expect(code).toBe(141)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('a control plane that accepts and never answers', () => {
  let silent: Server
  let url = ''
  const seen: string[] = []
  beforeAll(async () => {
    silent = createServer((req) => seen.push(req.url ?? ''))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`
  })
  afterAll(() => {
    silent.closeAllConnections()
    silent.close()
  })

  it('ends log and get at DROVER_REQUEST_TIMEOUT with exit 5', async () => {
    for (const args of [
      ['log', '-n', 'w'],
      ['log', '-n', 'w', '-f'],
      ['get', '-t', 'worker'],
    ]) {
      const r = await runCli(args, {env: {DROVER_URL: url, DROVER_APIKEY: 'k', DROVER_REQUEST_TIMEOUT: '300ms'}})
      expect(r).toMatchObject({code: 5, stdout: ''})
      expect(r.stderr).toContain(`cannot reach the control plane at ${url}: timed out`)
    }
    const bad = await runCli(['get', '-t', 'worker'], {env: {DROVER_URL: url, DROVER_REQUEST_TIMEOUT: 'soon'}})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('DROVER_REQUEST_TIMEOUT="soon": a duration such as 30s')
  })

  it('lets Ctrl-C end log at once', async () => {
    const before = seen.length
    const child = spawn(NODE, [RUN_JS, 'log', '-n', 'w'], {
      env: cliEnv({DROVER_URL: url, DROVER_APIKEY: 'k'}),
      stdio: 'ignore',
    })
    try {
      await waitFor('the request', () => seen.length > before || undefined)
      child.kill('SIGINT')
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
        child.once('exit', (c, s) => resolve([c, s])),
      )
      expect(signal ?? code).toBe('SIGINT')
    } finally {
      child.kill('SIGKILL')
    }
  })
})
