// Cold start of the CLI against `node -e 0` on the same Node and `kubectl version --client`
// (a Go CLI, the anchor users compare with), warm and on the first run after an install (an
// empty compile cache); and `drover get -t worker -a` against `kubectl get --raw`, both reading
// a 1,000-item list from the same local stub (bench/list-stub.mjs), with `kubectl version` as
// the floor. Targets (issue 9): lint of one file ≤ 1.5× kubectl; drover get (1,000 items) ≤ 2× kubectl.
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {interleaved, median, percentile, table, timeCommand} from './lib.mjs'

async function startStub(root, node) {
  const child = spawn(node, [join(root, 'bench/list-stub.mjs')], {stdio: ['ignore', 'pipe', 'inherit']})
  const url = await new Promise((resolve, reject) => {
    let text = ''
    child.stdout.setEncoding('utf8').on('data', (d) => {
      text += d
      if (text.includes('\n')) resolve(JSON.parse(text).url)
    })
    child.once('exit', (code) => reject(new Error(`the stub exited ${code}`)))
  })
  return {child, url}
}

export async function startup({root, rounds = 25}) {
  const node = join(root, 'node_modules/.bin/node')
  const run = join(root, 'bin/run.js')
  const minimal = join(root, 'examples/worker-minimal.yaml')
  const hasKubectl = spawnSync('kubectl', ['version', '--client'], {stdio: 'ignore'}).status === 0
  const caches = mkdtempSync(join(tmpdir(), 'drover-bench-cache-'))
  const stub = await startStub(root, node)
  let cold = 0
  // A fresh, empty compile cache each run: what the first run after `npm install` pays.
  const coldEnv = () => ({...process.env, NODE_COMPILE_CACHE: join(caches, String(++cold))})
  const getEnv = {
    ...process.env,
    DROVER_URL: stub.url,
    DROVER_APIKEY: `drv_${'0'.repeat(16)}_${'A'.repeat(43)}`,
    NO_COLOR: '1',
  }
  const variants = [
    {name: 'node -e 0', run: () => timeCommand(node, ['-e', '0'])},
    ...(hasKubectl
      ? [
          {name: 'kubectl version --client', run: () => timeCommand('kubectl', ['version', '--client'])},
          {
            name: 'kubectl get --raw (1,000 items, stub)',
            run: () =>
              timeCommand('kubectl', [
                'get',
                '--server',
                stub.url,
                '--raw',
                '/apis/apps/v1/namespaces/public/deployments',
              ]),
          },
        ]
      : []),
    {name: 'drover --version', run: () => timeCommand(node, [run, '--version'])},
    {
      name: 'drover --version, first run after install (empty compile cache)',
      run: () => timeCommand(node, [run, '--version'], {env: coldEnv()}),
    },
    {
      name: 'drover apply --lint -f examples/worker-minimal.yaml',
      run: () => timeCommand(node, [run, 'apply', '--lint', '-f', minimal]),
    },
    {
      name: 'drover apply --lint, first run after install (empty compile cache)',
      run: () => timeCommand(node, [run, 'apply', '--lint', '-f', minimal], {env: coldEnv()}),
    },
    {
      name: 'drover get -t worker -a (1,000 items, stub)',
      run: () => timeCommand(node, [run, 'get', '-t', 'worker', '-a'], {env: getEnv}),
    },
    {
      name: 'drover --version (oclif, no fast path)',
      run: () => timeCommand(node, [run, '--version'], {env: {...process.env, DROVER_NO_FAST_PATH: '1'}}),
    },
    {
      name: 'drover apply --lint (oclif, no fast path)',
      run: () =>
        timeCommand(node, [run, 'apply', '--lint', '-f', minimal], {env: {...process.env, DROVER_NO_FAST_PATH: '1'}}),
    },
  ]
  let samples
  try {
    samples = interleaved(variants, rounds)
  } finally {
    stub.child.kill('SIGKILL')
    rmSync(caches, {recursive: true, force: true})
  }
  const kubectl = hasKubectl ? median(samples['kubectl version --client']) : undefined
  const base = median(samples['node -e 0'])
  const rows = variants.map((v) => {
    const m = median(samples[v.name])
    return [
      v.name,
      m.toFixed(1),
      `${percentile(samples[v.name], 10).toFixed(1)}–${percentile(samples[v.name], 90).toFixed(1)}`,
      (m / base).toFixed(2),
      kubectl ? (m / kubectl).toFixed(2) : 'n/a',
    ]
  })
  const lint = median(samples['drover apply --lint -f examples/worker-minimal.yaml'])
  const get = median(samples['drover get -t worker -a (1,000 items, stub)'])
  const kubeGet = hasKubectl ? median(samples['kubectl get --raw (1,000 items, stub)']) : undefined
  return {
    title: `Start-up (median of ${rounds} interleaved runs, ms)`,
    text: table(rows, ['command', 'median', 'p10–p90', '× node -e 0', '× kubectl version']),
    checks: kubectl
      ? [
          {
            name: 'apply --lint ≤ 1.5× kubectl version',
            ok: lint <= 1.5 * kubectl,
            value: `${(lint / kubectl).toFixed(2)}×`,
          },
          {
            name: 'drover get (1,000 items) ≤ 2× kubectl version',
            ok: get <= 2 * kubectl,
            value: `${(get / kubectl).toFixed(2)}×; ${(get / kubeGet).toFixed(2)}× kubectl get --raw`,
          },
        ]
      : [],
  }
}
