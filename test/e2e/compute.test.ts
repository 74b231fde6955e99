// Compute resources through the built CLI against a real control plane: the built-in
// runnable-default, a Kubernetes compute that this control plane cannot run on yet (said in the
// worker's status), the apply-time checks (a compute that does not exist, a stack without an
// image on Kubernetes, each at its line), and deletion blocked while workers use a compute.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT, runCli} from '../helpers/run-cli.js'
import {type ServerProcess, startServerProcess, tempDir} from '../helpers/server.js'
import {waitFor} from '../helpers/wait.js'

const home = tempDir('compute')
let server: ServerProcess | undefined
let env: Record<string, string> = {}
beforeAll(async () => {
  server = await startServerProcess({home: join(home, 'cp')})
  env = {DROVER_URL: server.url, DROVER_APIKEY: server.adminKey}
})
afterAll(async () => {
  await server?.stop()
})

const run = (args: string[], input?: string) => runCli(args, {env, input})
const worker = (
  name: string,
  compute: string,
  spec = '  stack: command\n  stackSpec: {command: sleep, args: ["1000"]}\n',
) => `name: ${name}\nversion: v1beta\ntype: worker\nworker:\n  compute: ${compute}\n${spec}`

describe('compute', () => {
  it('lists the built-in runnable-default on this machine, and the examples’ Kubernetes compute', async () => {
    const applied = await run(['apply', '-f', join(ROOT, 'examples/compute.yaml')])
    expect(applied).toMatchObject({code: 0, stdout: 'kube-runnable:v1:compute: created\n'})
    const r = await run(['get', '-t', 'compute', '-a'])
    expect(r.code, r.stderr).toBe(0)
    const rows = r.stdout
      .trimEnd()
      .split('\n')
      .slice(2)
      .map((row) => row.split(' | ').map((c) => c.trim()))
    expect(rows.map((c) => [c[0], c[5]])).toEqual([
      ['kube-runnable', 'hub (unreachable)'],
      ['runnable-default', 'local'],
    ])
    const json = await run(['get', '-t', 'compute', '-a', '-n', 'kube-runnable', '--output', 'json'])
    expect(JSON.parse(json.stdout).items[0].status).toMatchObject({dataplane: 'hub', reachable: false})
  })

  it('refuses a worker whose compute does not exist, at the compute line', async () => {
    const r = await run(['apply', '-f', '-'], worker('lost', 'gpu-pool'))
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('<stdin>:5:12: worker.compute: Not found: compute "gpu-pool" does not exist; available:')
    expect(r.stdout).toContain('available: kube-runnable, runnable-default')
  })

  it('on a Kubernetes compute, refuses a stack without an image and says why a worker does not run', async () => {
    await run(['apply', '-f', join(ROOT, 'examples/compute.yaml')])
    const noImage = await run(['apply', '-f', '-'], worker('kube-worker', 'kube-runnable'))
    expect(noImage.code).toBe(1)
    expect(noImage.stdout).toMatch(
      /<stdin>:7:\d+: worker\.stackSpec: Invalid value: stack command:1\.0 has no container image, which compute kube-runnable \(dataplane hub\) needs/,
    )
    const withImage = worker(
      'kube-worker',
      'kube-runnable',
      '  stack: command\n  stackSpec: {command: sleep, args: ["1000"], image: "busybox:1.37"}\n',
    )
    expect((await run(['apply', '-f', '-'], withImage)).code).toBe(0)
    const status = await waitFor('a status', async () => {
      const r = await run(['get', '-t', 'worker', '-n', 'kube-worker', '--output', 'json'])
      const s = JSON.parse(r.stdout).items[0].status as {phase: string; lastError?: string}
      return s.phase === 'Failed' ? s : undefined
    })
    expect(status.lastError).toBe(
      "compute kube-runnable runs on dataplane hub, which is not in this control plane's configuration (dataplanes:)",
    )
  })

  it('cannot be deleted while a worker uses it; the error names the worker', async () => {
    const r = await run(['delete', '-t', 'compute', '-n', 'kube-runnable'])
    expect(r.code).toBe(4)
    expect(`${r.stdout}${r.stderr}`).toContain('worker:v1beta:kube-worker:public')
    expect((await run(['delete', '-t', 'worker', '-n', 'kube-worker'])).code).toBe(0)
    expect((await run(['delete', '-t', 'compute', '-n', 'kube-runnable'])).code).toBe(0)
  })

  it('the examples’ compute validates as written, and so does DataOS’s shape of it', async () => {
    const dataos = readFileSync(join(ROOT, 'examples/compute.yaml'), 'utf8')
      .split('\n')
      .filter((l) => !/^\s+(defaults|requests|limits|cpu|memory|namespacePrefix):/.test(l))
      .join('\n')
    expect(dataos).not.toMatch(/^\s+(namespacePrefix|defaults):/m)
    const r = await run(['apply', '--lint', '-f', '-'], dataos)
    expect(r, r.stderr).toMatchObject({code: 0})
  })
})
