// Validation throughput: the generated (ajv standalone) validators that the CLI and server use,
// against zod's own safeParse of the same model, on the same 10,000 small manifests.
// Target: ≥ 100,000 manifests/s.
import {join} from 'node:path'
import {table} from './lib.mjs'

function manifests(n) {
  const out = []
  for (let i = 0; i < n; i++) {
    out.push({
      name: `worker-${i}`,
      version: 'v1beta',
      type: 'worker',
      tags: ['bench'],
      worker: {
        replicas: i % 5,
        stack: i % 2 ? 'node' : 'command:1.0',
        compute: 'runnable-default',
        logLevel: ['INFO', 'DEBUG', 'WARN'][i % 3],
        envs: {INDEX: String(i), MODE: 'bench'},
        resources: {requests: {cpu: '100m', memory: '64Mi'}, limits: {cpu: '500m', memory: '256Mi'}},
        stackSpec: {source: `console.log(${i})`},
      },
    })
  }
  return out
}

function throughput(fn, docs, minMs = 1500) {
  let runs = 0
  let valid = 0
  const start = performance.now()
  do {
    for (const d of docs) if (fn(d)) valid++
    runs++
  } while (performance.now() - start < minMs)
  const seconds = (performance.now() - start) / 1000
  return {perSecond: (runs * docs.length) / seconds, valid: valid / runs}
}

export async function validate({root, count = 10_000}) {
  const {validateManifest} = await import(join(root, 'dist/resources/validate.js'))
  const {modelFor} = await import(join(root, 'dist/resources/model/index.js'))
  const docs = manifests(count)
  const zodModel = modelFor('worker.v1beta')
  // Warm up both (JIT) before measuring.
  throughput((d) => validateManifest(d).problems.length === 0, docs, 300)
  throughput((d) => zodModel.safeParse(d).success, docs, 300)
  const ajv = throughput((d) => validateManifest(d).problems.length === 0, docs)
  const zod = throughput((d) => zodModel.safeParse(d).success, docs)
  if (ajv.valid !== count || zod.valid !== count)
    throw new Error(`expected ${count} valid manifests, got ${ajv.valid} / ${zod.valid}`)
  const rows = [
    [
      'validateManifest (generated ajv validators + rules, with defaults)',
      Math.round(ajv.perSecond).toLocaleString('en'),
      (ajv.perSecond / zod.perSecond).toFixed(2),
    ],
    ['zod safeParse of the same model (+ rules)', Math.round(zod.perSecond).toLocaleString('en'), '1.00'],
  ]
  return {
    title: `Validation throughput (${count.toLocaleString('en')} small worker manifests)`,
    text: table(rows, ['validator', 'manifests/s', '× zod']),
    checks: [
      {
        name: '≥ 100,000 manifests/s',
        ok: ajv.perSecond >= 100_000,
        value: Math.round(ajv.perSecond).toLocaleString('en'),
      },
    ],
  }
}
