// What dataos-ctl users do out of habit, through the built CLI against a real control plane:
// paste a `get` row into `delete -i`, spell commands `resource apply|get|delete` and
// `develop get resource`, and name a resource someone else owns.
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'
import {type ServerProcess, startServerProcess, tempDir} from '../helpers/server.js'

const home = tempDir('habits')
let server: ServerProcess | undefined
let env: Record<string, string> = {}
beforeAll(async () => {
  server = await startServerProcess({home: join(home, 'cp')})
  env = {DROVER_URL: server.url, DROVER_APIKEY: server.adminKey}
})
afterAll(async () => {
  await server?.stop()
})

const run = (args: string[]) => runCli(args, {env})
const dryWorker = (name: string, extra = '') =>
  `name: ${name}\nversion: v1beta\ntype: worker\n${extra}worker:\n  dryRun: true\n  stack: node\n  compute: runnable-default\n  stackSpec: {source: "0"}\n`

async function applyText(yaml: string) {
  const r = await runCli(['apply', '-f', '-'], {env, input: yaml})
  expect(r.code, r.stderr).toBe(0)
}

describe('a row copied from get', () => {
  it('is printed with | between columns and a rule under the header', async () => {
    await applyText(dryWorker('pasted'))
    const r = await run(['get', '-t', 'worker', '-n', 'pasted'])
    expect(r.code).toBe(0)
    const [header, rule, row, ...rest] = r.stdout.trimEnd().split('\n')
    expect(header).toMatch(/^NAME +\| VERSION \| TYPE +\| WORKSPACE \| STATUS \| RUNTIME \| OWNER +\| AGE$/)
    expect(rule).toMatch(/^-+(\|-+)+$/)
    expect(row).toMatch(/^pasted \| v1beta +\| worker \| public +\| active \| dry-run \| \S+ +\| \d+s$/)
    expect(rest).toEqual([])
  })

  it('names its resource in delete -i, as it is or with spaces between columns', async () => {
    for (const [name, form] of [
      ['pasted', (row: string) => row],
      ['spaced', (row: string) => row.replaceAll(' | ', '   ')],
      ['boxed', (row: string) => `│ ${row.replaceAll(' | ', ' │ ')} │`],
    ] as const) {
      if (name !== 'pasted') await applyText(dryWorker(name))
      const row = (await run(['get', '-t', 'worker', '-n', name])).stdout.split('\n')[2]!
      const r = await run(['delete', '-i', form(row)])
      expect(r, form(row)).toMatchObject({code: 0, stdout: `${name}:v1beta:worker (public): deleted\n`})
    }
  })

  it('takes an empty column as the default, not as a shift of the next ones', async () => {
    await applyText(dryWorker('gaps'))
    const r = await run(['delete', '-i', 'gaps||worker|public'])
    expect(r).toMatchObject({code: 0, stdout: 'gaps:v1beta:worker (public): deleted\n'})
  })
})

describe('dataos-ctl spellings', () => {
  it('resource apply, get and delete are apply, get and delete', async () => {
    const yaml = dryWorker('spelled')
    const applied = await runCli(['resource', 'apply', '-f', '-', '-w', 'public'], {env, input: yaml})
    expect(applied).toMatchObject({code: 0, stdout: 'spelled:v1beta:worker (public): created\n'})
    const [a, b] = await Promise.all([
      run(['resource', 'get', '-t', 'worker', '-n', 'spelled', '--json']),
      run(['get', '-t', 'worker', '-n', 'spelled', '--json']),
    ])
    expect(a.code).toBe(0)
    expect(a).toEqual(b)
    const deleted = await run(['resource', 'delete', '-t', 'worker', '-n', 'spelled'])
    expect(deleted).toMatchObject({code: 0, stdout: 'spelled:v1beta:worker (public): deleted\n'})
  })

  it('develop get resource is develop schema get resource', async () => {
    const [a, b] = await Promise.all([
      run(['develop', 'get', 'resource', '-t', 'worker', '-v', 'v1beta']),
      run(['develop', 'schema', 'get', 'resource', '-t', 'worker', '-v', 'v1beta']),
    ])
    expect(a.code).toBe(0)
    expect(JSON.parse(a.stdout)).toMatchObject({title: expect.stringContaining('worker')})
    expect(a).toEqual(b)
  })

  it('a near miss still gets a did-you-mean, and an alias gets its command’s usage', async () => {
    const near = await run(['resource', 'aply'])
    expect(near.code).toBe(2)
    expect(near.stderr).toContain('did you mean "resource apply"?')
    const usage = await run(['resource', 'apply'])
    expect(usage).toMatchObject({code: 2, stdout: ''})
    expect(usage.stderr).toBe(
      'Error: Missing required flag manifestFile\n  usage: drover apply -f <value>... [flags]\n  see "drover apply --help"\n',
    )
  })
})

describe('get -n', () => {
  it('shows a resource named exactly whoever owns it, and exits 3 for one that does not exist', async () => {
    await applyText(dryWorker('theirs', 'owner: someone-else\n'))
    const mine = await run(['get', '-t', 'worker'])
    expect(mine.stdout).not.toContain('theirs')
    const named = await run(['get', '-t', 'worker', '-n', 'theirs'])
    expect(named.code).toBe(0)
    expect(named.stdout).toMatch(/\ntheirs \| v1beta .*\| someone-else \|/)
    const missing = await run(['get', '-t', 'worker', '-n', 'nope', '-w', 'public'])
    expect(missing).toMatchObject({code: 3, stdout: ''})
    expect(missing.stderr).toBe('Error: worker "nope" not found in workspace public\n')
    const json = await run(['get', '-t', 'worker', '-n', 'nope', '--json'])
    expect(json.code).toBe(3)
    expect(JSON.parse(json.stderr)).toMatchObject({error: {code: 'NotFound'}})
  })
})
