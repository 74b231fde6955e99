// Render throughput (issue 10): workers rendered into their Kubernetes objects by renderWorker,
// against validateManifest of the same workers (what every apply already pays) measured in the
// same run, interleaved; then the CLI end to end: `drover render` of a file of 1,000 workers
// against `drover apply --lint` of the same file (both offline). The API requests per worker at
// steady state need the Kubernetes runtime, which is not built yet.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {interleaved, median, table} from './lib.mjs'

function workers(n) {
  return Array.from({length: n}, (_, i) => ({
    name: `worker-${i}`,
    version: 'v1beta',
    type: 'worker',
    worker: {
      replicas: 1 + (i % 3),
      stack: 'node',
      compute: 'kube',
      envs: {INDEX: String(i), MODE: 'bench'},
      configs: {'app.properties': `index=${i}\n`},
      resources: {requests: {cpu: '100m', memory: '64Mi'}, limits: {cpu: '500m', memory: '256Mi'}},
      ...(i % 4 === 0 ? {autoscaling: {minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 70}} : {}),
      ...(i % 5 === 0 ? {highAvailabilityConfig: {level: 'zone', mode: 'preferred'}} : {}),
      stackSpec: {source: `setInterval(() => console.log(${i}), 1000)`},
    },
  }))
}

const COMPUTE = {
  dataplane: 'hub',
  nodePool: {nodeSelector: {'dataos.io/purpose': 'runnable'}},
  defaults: {requests: {cpu: '100m', memory: '128Mi'}},
}

/** Runs fn over docs for about ms; returns documents done per second. */
function rate(fn, docs, ms = 250) {
  let done = 0
  const start = performance.now()
  do {
    for (const d of docs) fn(d)
    done += docs.length
  } while (performance.now() - start < ms)
  return (done / (performance.now() - start)) * 1000
}

export async function render({root, count = 1000, rounds = 6}) {
  const {renderWorker} = await import(join(root, 'dist/resources/kubernetes/render.js'))
  const {validateManifest} = await import(join(root, 'dist/resources/validate.js'))
  const {BUILTIN_STACKS} = await import(join(root, 'dist/resources/builtins.js'))
  const stack = BUILTIN_STACKS.find((s) => s.name === 'node').stack
  const docs = workers(count)
  const renderOne = (m) =>
    renderWorker({
      name: m.name,
      workspace: 'public',
      version: 'v1beta',
      worker: m.worker,
      stack,
      compute: COMPUTE,
      secrets: [],
    })
  const validateOne = (m) => {
    if (validateManifest(m).problems.length > 0) throw new Error(`${m.name} is invalid`)
  }
  const rates = {render: [], validate: []}
  for (let round = -1; round < rounds; round++) {
    for (const [name, fn] of [...Object.entries({render: renderOne, validate: validateOne})].sort(
      () => Math.random() - 0.5,
    )) {
      const r = rate(fn, docs)
      if (round >= 0) rates[name].push(r)
    }
  }
  const renderRate = median(rates.render)
  const validateRate = median(rates.validate)

  // The CLI end to end, on one file of `count` workers and their compute.
  const dir = mkdtempSync(join(tmpdir(), 'drover-bench-render-'))
  try {
    const compute = `name: kube\nversion: v1\ntype: compute\ncompute: ${JSON.stringify(COMPUTE)}\n`
    const file = join(dir, 'workers.yaml')
    writeFileSync(file, [compute, ...docs.map((d) => JSON.stringify(d))].join('\n---\n'))
    const node = join(root, 'node_modules/.bin/node')
    const cli = (args) => ({
      run: () => {
        const start = performance.now()
        const r = spawnSync(node, [join(root, 'bin/run.js'), ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
          env: {...process.env, HOME: dir},
        })
        if (r.status !== 0) throw new Error(`drover ${args.join(' ')}: ${r.stderr}`)
        return performance.now() - start
      },
    })
    const samples = interleaved(
      [
        {name: 'render', ...cli(['render', '-f', file])},
        {name: 'lint', ...cli(['apply', '--lint', '-f', file])},
      ],
      7,
      1,
    )
    const [renderMs, lintMs] = [median(samples.render), median(samples.lint)]
    const rows = [
      [
        'renderWorker (Deployment, ConfigMap, HPA, PDB)',
        `${Math.round(renderRate).toLocaleString('en')} workers/s`,
        (renderRate / validateRate).toFixed(2),
      ],
      ['validateManifest of the same workers', `${Math.round(validateRate).toLocaleString('en')} workers/s`, '1.00'],
      [
        `drover render -f (${count.toLocaleString('en')} workers, YAML out)`,
        `${renderMs.toFixed(0)} ms`,
        (renderMs / lintMs).toFixed(2),
      ],
      [`drover apply --lint -f (the same file)`, `${lintMs.toFixed(0)} ms`, '1.00'],
    ]
    return {
      title: `Kubernetes render (${count.toLocaleString('en')} workers; in process: ${rounds} interleaved slices of 250 ms; CLI: median of 7 interleaved runs)`,
      text: table(rows, ['measure', 'result', '× baseline']),
      checks: [
        {
          name: '≥ 10,000 workers rendered/s',
          ok: renderRate >= 10_000,
          value: Math.round(renderRate).toLocaleString('en'),
        },
      ],
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
