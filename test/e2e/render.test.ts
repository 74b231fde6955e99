// `drover render` through the built CLI, offline: golden renders of every example worker and of
// the DataOS-shaped fixtures on a Kubernetes compute (reviewed by hand once; UPDATE_GOLDEN=1
// accepts a deliberate change), the JSON form, and the located errors of what cannot render.
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT, runCli} from '../helpers/run-cli.js'

const COMPUTE = join(ROOT, 'examples/compute.yaml')
const fixture = (f: string) => join(ROOT, 'test/fixtures', f)
const example = (f: string) => join(ROOT, 'examples', f)
const GOLDEN = fixture('kubernetes/golden')

// No control plane anywhere: render must never need one.
const offline = {DROVER_URL: 'http://127.0.0.1:9', DROVER_APIKEY: 'unused'}
const render = (args: string[], input?: string) => runCli(['render', ...args], {env: offline, input})

const CASES: {name: string; files: string[]}[] = [
  {name: 'worker-minimal', files: [example('worker-minimal.yaml')]},
  {name: 'worker-full', files: [example('secret.yaml'), example('worker-full.yaml')]},
  {name: 'worker-autoscaling', files: [example('worker-autoscaling.yaml')]},
  {name: 'dataos-sample-style', files: [fixture('manifests/valid/dataos-sample-style.yaml')]},
  {name: 'dataos-indexer-style', files: [fixture('manifests/valid/dataos-indexer-style.yaml')]},
  {
    name: 'dataos-function-style',
    files: [fixture('manifests/valid/dataos-stack-style.yaml'), fixture('manifests/valid/dataos-function-style.yaml')],
  },
]

describe('golden renders on a Kubernetes compute', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const files = [COMPUTE, fixture('kubernetes/dataos-stacks.yaml'), ...c.files]
      const r = await render([
        '--disable-interpolation',
        '--compute',
        'kube-runnable',
        ...files.flatMap((f) => ['-f', f]),
      ])
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      const golden = join(GOLDEN, `${c.name}.yaml`)
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) writeFileSync(golden, r.stdout)
      expect(r.stdout).toBe(readFileSync(golden, 'utf8'))
    })
  }
})

describe('drover render', () => {
  it('prints a List with --output json, the objects of the YAML form', async () => {
    const files = ['-f', COMPUTE, '-f', example('worker-autoscaling.yaml'), '--compute', 'kube-runnable']
    const [json, yaml] = await Promise.all([render([...files, '-o', 'json']), render(files)])
    expect(json.code, json.stderr).toBe(0)
    const list = JSON.parse(json.stdout)
    expect(list).toMatchObject({apiVersion: 'v1', kind: 'List'})
    expect(list.items.map((o: {kind: string}) => o.kind)).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
    ])
    expect(yaml.stdout.split('\n---\n')).toHaveLength(list.items.length)
  })

  it("renders on the worker's own compute without --compute (runnable-default is built in)", async () => {
    const r = await render(['-f', example('worker-minimal.yaml')])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('namespace: public\n')
    expect(r.stdout).not.toContain('nodeSelector')
  })

  it('never prints secret values', async () => {
    const r = await render(['-f', example('secret.yaml'), '-f', example('worker-full.yaml'), '-o', 'json'])
    expect(r.code, r.stderr).toBe(0)
    // The example's password (its default); its username, orders, is also the topic of a config file.
    expect(r.stdout).not.toContain('change-me')
    const items = JSON.parse(r.stdout).items as {kind: string; stringData?: Record<string, string>}[]
    expect(items.find((o) => o.kind === 'Secret')?.stringData).toEqual({password: '******', username: '******'})
  })

  it('refuses a stack without an image at the worker’s stack line, and prints nothing', async () => {
    const worker = `name: ticking\nversion: v1beta\ntype: worker\nworker:\n  stack: noimage:1.0\n  compute: runnable-default\n  stackSpec: {message: hi}\n`
    const stack = readFileSync(example('stack.yaml'), 'utf8')
      .replace(/^ {2}image:\n(?: {4}.*\n)+/m, '')
      .replace(/name: ticker/g, 'name: noimage')
    expect(stack).not.toContain('busybox')
    const r = await render(['-f', '-'], `${stack}\n---\n${worker}`)
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    const line = `${stack}\n---\n${worker}`.split('\n').indexOf('  stack: noimage:1.0') + 1
    expect(r.stderr).toContain(`<stdin>:${line}:10: worker.stack: the stack has no container image`)
  })

  it('refuses the command stack without stackSpec.image at stackSpec', async () => {
    const worker = `name: cmd\nversion: v1beta\ntype: worker\nworker:\n  stack: command\n  compute: runnable-default\n  stackSpec:\n    command: sleep\n`
    const r = await render(['-f', '-'], worker)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('<stdin>:8:5: worker.stackSpec: the stack has no container image')
    const fixed = await render(['-f', '-'], `${worker}    image: busybox:1.37\n`)
    expect(fixed.code, fixed.stderr).toBe(0)
    expect(fixed.stdout).toContain('image: busybox:1.37')
  })

  it('names the compute, the secret and the file line when they are not in the files given', async () => {
    const worker = readFileSync(example('worker-full.yaml'), 'utf8').replace('runnable-default', 'gpu-pool')
    const r = await render(['-f', '-'], worker)
    expect(r.code).toBe(1)
    const computeLine = worker.split('\n').findIndex((l) => l.includes('gpu-pool')) + 1
    expect(r.stderr).toContain(`<stdin>:${computeLine}:12: worker.compute: compute gpu-pool is not in the files given`)
    const noSecret = await render(['-f', example('worker-full.yaml')])
    expect(noSecret.code).toBe(1)
    expect(noSecret.stderr).toMatch(
      /worker-full\.yaml:\d+:\d+: worker\.dataosSecrets\.0\.name: secret public\/db-credentials does not exist \(render is offline/,
    )
    const badFlag = await render(['-f', example('worker-minimal.yaml'), '--compute', 'nope'])
    expect(badFlag.code).toBe(2)
    expect(badFlag.stderr).toContain('--compute nope: not in the files given')
  })

  it('prints the lint report of an invalid manifest and renders nothing', async () => {
    const r = await render(['-f', '-'], 'name: Bad_Name\nversion: v1beta\ntype: worker\nworker: {stack: node}\n')
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^\s+<stdin>:1:7: name: /m)
    expect(r.stderr).toContain('nothing rendered: 1 of 1 documents invalid')
  })
})
