// A Kubernetes dataplane at scale (issue 10): 1,000 workers synced as the reconciler syncs them,
// against the fake API server of test/helpers (no kube-apiserver runs here; Node strips its
// types), driven by the real @kubernetes/client-node, its informers watching as in the server.
// Reported: API requests per worker (watches aside) for the first sync, a steady-state sync
// (nothing changed: target zero writes; what runs comes from the informers' caches), and a sync
// after one config change; the baseline is a naive applier in the same run, which sends every object at
// every sync (server-side apply without drover's hashes).
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {table} from './lib.mjs'

export async function kubernetes({root, count = 1000}) {
  const {FakeKubeApiServer} = await import(join(root, 'test/helpers/fake-kube-apiserver.ts'))
  const {KubernetesDataplane} = await import(join(root, 'dist/runtime/kubernetes/dataplane.js'))
  const {renderWorker} = await import(join(root, 'dist/resources/kubernetes/render.js'))
  const {BUILTIN_STACKS} = await import(join(root, 'dist/resources/builtins.js'))
  const k8s = await import('@kubernetes/client-node')
  const stack = BUILTIN_STACKS.find((s) => s.name === 'node').stack
  const compute = {dataplane: 'hub', namespacePrefix: 'bench-'}
  const render = (i, message = 'up') =>
    renderWorker({
      name: `w-${i}`,
      workspace: 'public',
      version: 'v1beta',
      worker: {
        stack: 'node',
        compute: 'kube',
        replicas: 2,
        configs: {'app.properties': `index=${i}\nmessage=${message}\n`},
        stackSpec: {source: 'setInterval(() => {}, 1000)'},
      },
      stack,
      compute,
      secrets: [],
    })
  const fake = await new FakeKubeApiServer().start()
  const dir = mkdtempSync(join(tmpdir(), 'drover-bench-k8s-'))
  let dataplane
  try {
    const kubeconfig = join(dir, 'kubeconfig')
    writeFileSync(kubeconfig, fake.kubeconfig())
    dataplane = await KubernetesDataplane.connect('hub', {kubeconfig})
    dataplane.start()
    const deadline = Date.now() + 10_000
    while (!['Deployment', 'Pod', 'HorizontalPodAutoscaler'].every((k) => fake.watchCount(k) > 0)) {
      if (Date.now() > deadline) throw new Error('the informers did not start watching within 10 s')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    const keys = Array.from({length: count}, (_, i) => ({workspace: 'public', name: `w-${i}`}))
    const round = async (name, fn) => {
      const [reads, writes] = [fake.reads().length, fake.writes().length]
      const start = performance.now()
      for (let i = 0; i < count; i++) await fn(i)
      const ms = performance.now() - start
      return {name, reads: (fake.reads().length - reads) / count, writes: (fake.writes().length - writes) / count, ms}
    }
    const drover = [
      await round('first sync', (i) => dataplane.sync(keys[i], render(i))),
      await round('steady state (nothing changed)', (i) => dataplane.sync(keys[i], render(i))),
      await round('one config file changed', (i) => dataplane.sync(keys[i], render(i, 'changed'))),
    ]
    // The naive applier: every object, every time (what a controller without hashes sends).
    const config = new k8s.KubeConfig()
    config.loadFromFile(kubeconfig)
    const api = k8s.KubernetesObjectApi.makeApiClient(config)
    const naive = await round('steady state (nothing changed)', async (i) => {
      for (const object of render(i, 'changed'))
        await api.patch(object, undefined, undefined, 'naive', true, k8s.PatchStrategy.ServerSideApply)
    })
    const rows = [
      ...drover.map((r) => [
        `drover: ${r.name}`,
        r.writes.toFixed(2),
        r.reads.toFixed(2),
        `${(r.ms / count).toFixed(2)} ms`,
      ]),
      [
        `naive applier: ${naive.name}`,
        naive.writes.toFixed(2),
        naive.reads.toFixed(2),
        `${(naive.ms / count).toFixed(2)} ms`,
      ],
    ]
    const steady = drover[1]
    return {
      title: `Kubernetes dataplane, ${count.toLocaleString('en')} workers (fake API server, real client; per worker)`,
      text: table(rows, ['sync', 'writes', 'reads', 'time']),
      checks: [
        {name: 'zero writes at steady state', ok: steady.writes === 0, value: `${steady.writes} writes per worker`},
        {name: 'zero reads at steady state', ok: steady.reads === 0, value: `${steady.reads} reads per worker`},
      ],
    }
  } finally {
    await dataplane?.close()
    await fake.stop()
    rmSync(dir, {recursive: true, force: true})
  }
}
