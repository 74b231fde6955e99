// Validation throughput: the generated (ajv standalone) validators that the CLI and server use,
// against zod's own safeParse of the same model, on 10,000 small valid manifests and 10,000
// invalid ones (an unknown field with a near-miss name, a wrong type, a bad quantity: the error
// path, messages and suggestions included). The validators run interleaved, in short slices in
// a random order, so that machine noise falls on both alike. Target: ≥ 100,000 valid manifests/s.
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

/** The same manifests, each broken three ways. */
function invalid(n) {
  return manifests(n).map((m, i) => {
    const {replicas, ...worker} = m.worker
    return {
      ...m,
      worker: {
        ...worker,
        replica: replicas, // near-miss of replicas: "did you mean"
        logLevel: i % 2 ? 42 : 'LOUD',
        resources: {requests: {cpu: 'lots', memory: '64Mi'}},
      },
    }
  })
}

/** Runs `fn` over `docs` for about `ms`; returns documents done and time taken. */
function slice(fn, docs, ms) {
  let done = 0
  let ok = 0
  const start = performance.now()
  do {
    for (const d of docs) if (fn(d)) ok++
    done += docs.length
  } while (performance.now() - start < ms)
  return {done, ok, ms: performance.now() - start}
}

export async function validate({root, count = 10_000, rounds = 8, sliceMs = 250}) {
  const {validateManifest} = await import(join(root, 'dist/resources/validate.js'))
  const {problemMessage} = await import(join(root, 'dist/resources/problems.js'))
  const {modelFor} = await import(join(root, 'dist/resources/model/index.js'))
  const zodModel = modelFor('worker.v1beta')
  const sets = {valid: manifests(count), invalid: invalid(count)}
  // ajv: the problems and their messages (what apply --lint prints); zod: its issues' messages.
  const ajv = (d) => {
    const {problems} = validateManifest(d)
    for (const p of problems) problemMessage(p)
    return problems.length === 0
  }
  const zod = (d) => {
    const r = zodModel.safeParse(d)
    if (!r.success) for (const issue of r.error.issues) issue.message
    return r.success
  }
  const variants = Object.entries(sets).flatMap(([set, docs]) => [
    {name: `${set}: validateManifest (generated ajv validators + rules)`, set, fn: ajv, docs},
    {name: `${set}: zod safeParse of the same model (+ rules)`, set, fn: zod, docs},
  ])
  const totals = Object.fromEntries(variants.map((v) => [v.name, {done: 0, ok: 0, ms: 0}]))
  for (let round = -1; round < rounds; round++) {
    for (const v of [...variants].sort(() => Math.random() - 0.5)) {
      const r = slice(v.fn, v.docs, sliceMs)
      if (round < 0) continue // warm-up (JIT)
      const t = totals[v.name]
      t.done += r.done
      t.ok += r.ok
      t.ms += r.ms
    }
  }
  for (const v of variants) {
    const t = totals[v.name]
    const expected = v.set === 'valid' ? t.done : 0
    if (t.ok !== expected) throw new Error(`${v.name}: ${t.ok} of ${t.done} passed, expected ${expected}`)
  }
  const rate = (name) => (totals[name].done / totals[name].ms) * 1000
  const rows = variants.map((v) => {
    const zodName = `${v.set}: zod safeParse of the same model (+ rules)`
    return [v.name, Math.round(rate(v.name)).toLocaleString('en'), (rate(v.name) / rate(zodName)).toFixed(2)]
  })
  const validRate = rate('valid: validateManifest (generated ajv validators + rules)')
  return {
    title: `Validation throughput (${count.toLocaleString('en')} small worker manifests, valid and invalid; ${rounds} interleaved slices of ${sliceMs} ms each)`,
    text: table(rows, ['validator', 'manifests/s', '× zod']),
    checks: [
      {name: '≥ 100,000 manifests/s', ok: validRate >= 100_000, value: Math.round(validRate).toLocaleString('en')},
    ],
  }
}
