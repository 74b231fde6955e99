// Cold start of the CLI against `node -e 0` on the same Node and `kubectl version --client`
// (a Go CLI, the anchor users compare with). Target: lint of one file ≤ 2× kubectl.
import {spawnSync} from 'node:child_process'
import {join} from 'node:path'
import {interleaved, median, percentile, table, timeCommand} from './lib.mjs'

export async function startup({root, rounds = 25}) {
  const node = join(root, 'node_modules/.bin/node')
  const run = join(root, 'bin/run.js')
  const minimal = join(root, 'examples/worker-minimal.yaml')
  const hasKubectl = spawnSync('kubectl', ['version', '--client'], {stdio: 'ignore'}).status === 0
  const variants = [
    {name: 'node -e 0', run: () => timeCommand(node, ['-e', '0'])},
    ...(hasKubectl
      ? [{name: 'kubectl version --client', run: () => timeCommand('kubectl', ['version', '--client'])}]
      : []),
    {name: 'drover --version', run: () => timeCommand(node, [run, '--version'])},
    {
      name: 'drover apply --lint -f examples/worker-minimal.yaml',
      run: () => timeCommand(node, [run, 'apply', '--lint', '-f', minimal]),
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
  const samples = interleaved(variants, rounds)
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
  return {
    title: `Start-up (median of ${rounds} interleaved runs, ms)`,
    text: table(rows, ['command', 'median', 'p10–p90', '× node -e 0', '× kubectl']),
    checks: kubectl
      ? [{name: 'apply --lint ≤ 2× kubectl', ok: lint <= 2 * kubectl, value: `${(lint / kubectl).toFixed(2)}×`}]
      : [],
  }
}
