// Contract tests against a real Kubernetes cluster: what the fake API server (test/helpers) stands
// in for. They run only when DROVER_K8S_CONTRACT=1 and KUBECONFIG name a cluster whose current
// context may create namespaces; a plain `npm test` skips them and says so in one line. First a
// server-side dry run of every rendered object (the API server's own validation and defaulting),
// then a throwaway namespace where a worker is applied (the informers watching, as in the
// server), becomes ready, has its events forwarded and its log read, is re-synced without a
// write, and is removed.
import {randomBytes} from 'node:crypto'
import {afterAll, describe, expect, it} from 'vitest'
import {BUILTIN_STACKS} from '../../../src/resources/builtins.js'
import {renderWorker} from '../../../src/resources/kubernetes/render.js'
import {KubernetesDataplane} from '../../../src/runtime/kubernetes/dataplane.js'
import type {LogLine, RuntimeEvent} from '../../../src/runtime/runtime.js'
import {waitFor} from '../../helpers/wait.js'

const enabled = process.env.DROVER_K8S_CONTRACT === '1' && Boolean(process.env.KUBECONFIG)
if (!enabled)
  console.warn(
    '!!! Kubernetes contract tests SKIPPED: set DROVER_K8S_CONTRACT=1 and KUBECONFIG to run them against a real cluster',
  )

const prefix = `drover-contract-${randomBytes(3).toString('hex')}-`
const key = {workspace: 'public', name: 'contract'}
const objects = () =>
  renderWorker({
    name: key.name,
    workspace: key.workspace,
    version: 'v1beta',
    worker: {
      stack: 'node',
      compute: 'kube',
      replicas: 1,
      stackSpec: {source: 'setInterval(() => console.log("up"), 1000)'},
    },
    stack: BUILTIN_STACKS.find((s) => s.name === 'node')!.stack as Record<string, unknown>,
    compute: {dataplane: 'contract', namespacePrefix: prefix},
    secrets: [],
  })

describe.skipIf(!enabled)('the Kubernetes dataplane against a real cluster', () => {
  let dataplane: KubernetesDataplane | undefined
  afterAll(async () => {
    await dataplane?.remove(key)
    await dataplane?.close()
    const k8s = await import('@kubernetes/client-node')
    const config = new k8s.KubeConfig()
    config.loadFromDefault()
    await k8s.KubernetesObjectApi.makeApiClient(config)
      .delete({apiVersion: 'v1', kind: 'Namespace', metadata: {name: `${prefix}public`}})
      .catch(() => undefined)
  })

  it('accepts every rendered object in a server-side dry run', async () => {
    const k8s = await import('@kubernetes/client-node')
    const config = new k8s.KubeConfig()
    config.loadFromDefault()
    const api = k8s.KubernetesObjectApi.makeApiClient(config)
    await api.patch(
      {apiVersion: 'v1', kind: 'Namespace', metadata: {name: `${prefix}public`}},
      undefined,
      undefined,
      'drover',
      true,
      k8s.PatchStrategy.ServerSideApply,
    )
    for (const object of objects())
      await api.patch(object as never, undefined, 'All', 'drover', true, k8s.PatchStrategy.ServerSideApply)
  })

  it('applies a worker, sees it ready, re-syncs without a change, removes it', async () => {
    const k8s = await import('@kubernetes/client-node')
    const config = new k8s.KubeConfig()
    config.loadFromDefault()
    const api = k8s.KubernetesObjectApi.makeApiClient(config)
    const namespace = `${prefix}public`
    const events: RuntimeEvent[] = []
    dataplane = await KubernetesDataplane.connect(
      'contract',
      {kubeconfig: process.env.KUBECONFIG!},
      {onEvent: (event) => events.push(event)},
    )
    dataplane.start()
    expect(await dataplane.unreachable()).toBeUndefined()
    await dataplane.sync(key, objects())
    const ready = await waitFor(
      'a ready pod',
      async () => {
        const o = await dataplane!.sync(key, objects())
        return o.replicas.some((r) => r.ready) ? o : undefined
      },
      180_000,
    )
    expect(ready.replicas[0]!.phase).toBe('Running')
    expect(ready.replicas[0]!.node).toBeTruthy()
    // The scheduler's and the kubelet's events about the pod, forwarded (Scheduled, Pulled, Started…).
    await waitFor('a forwarded event', () => events.find((e) => e.key.name === key.name), 60_000)
    const lines: LogLine[] = []
    await waitFor(
      'a line of its log',
      async () => {
        await dataplane!.logs(key, {tailLines: 10, previous: false, follow: false}, (l) => lines.push(l))
        return lines.find((l) => l.line === 'up' && l.time)
      },
      60_000,
    )
    // A sync of the same objects changes no spec: the Deployment's generation stays.
    const generation = async () =>
      (await api.read({apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: key.name, namespace}})).metadata
        ?.generation
    const before = await generation()
    await dataplane.sync(key, objects())
    expect(await generation()).toBe(before)
    await dataplane.remove(key)
    await waitFor(
      'the pods gone',
      async () => ((await api.list('v1', 'Pod', namespace)).items.length === 0 ? true : undefined),
      120_000,
    )
  }, 400_000)
})
