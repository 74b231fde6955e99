// The reconciler writes status only over the version it read: a spec applied while it worked
// gets a fresh reconcile instead of a status computed from the old spec. Real SQLite store, real
// local runtime (a dryRun worker: nothing is started); the store is wrapped to apply a spec
// change at the moment the status is written, which is the race.
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {LocalRuntime} from '../../../src/runtime/local/local-runtime.js'
import {WorkerReconciler} from '../../../src/scheduler/worker-reconciler.js'
import {registerBuiltins} from '../../../src/server/builtins.js'
import {SqliteStore} from '../../../src/store/sqlite/sqlite-store.js'
import type {ResourceStore} from '../../../src/store/store.js'
import {fastRuntimeOptions} from '../../helpers/runtime.js'
import {tempDir} from '../../helpers/server.js'

const home = tempDir('status-writes')
const key = {workspace: 'public', type: 'worker', name: 'w'}
const manifest = (replicas: number) => ({
  name: 'w',
  version: 'v1beta',
  type: 'worker',
  worker: {stack: 'node', compute: 'runnable-default', dryRun: true, replicas, stackSpec: {source: '0'}},
})

describe('status writes', () => {
  const store = new SqliteStore({path: join(home, 'db'), eventsPerResource: 10})
  const runtime = new LocalRuntime(fastRuntimeOptions(home, {cgroups: 'off', baseEnv: {}}))
  afterAll(async () => {
    await runtime.close()
    await store.close()
  })

  const reconciler = (s: ResourceStore) =>
    new WorkerReconciler({
      store: s,
      runtime,
      unseal: () => ({}),
      nodeBinary: process.execPath,
      scaledReplicas: () => undefined,
      progressPollMs: 50,
      minReadyMs: 1000,
    })

  const write = (replicas: number) =>
    store.putSpec(
      {key, version: 'v1beta', owner: 'admin', manifest: manifest(replicas)},
      {initialStatus: {phase: 'Pending', conditions: []}},
    )

  it('a status computed from a spec that changed meanwhile is not written; the reconcile runs again', async () => {
    await registerBuiltins(store)
    await write(1)
    let raced = false
    // The store, with one concurrent apply slipped in just before the status write.
    const racing: ResourceStore = Object.create(store, {
      putStatus: {
        value: async (...args: Parameters<ResourceStore['putStatus']>) => {
          if (!raced) {
            raced = true
            await write(2)
          }
          return store.putStatus(...args)
        },
      },
    })
    expect(await reconciler(racing).reconcile('public/w')).toEqual({requeueAfterMs: 0})
    // Nothing was written from generation 1.
    expect((await store.get(key))!.status.phase).toBe('Pending')
    // The next reconcile sees generation 2 and writes its status.
    expect(await reconciler(store).reconcile('public/w')).toEqual({})
    const after = (await store.get(key))!
    expect(after.generation).toBe(2)
    expect(after.status).toMatchObject({phase: 'DryRun', observedGeneration: 2, desiredReplicas: 2})
  })

  it('a worker deleted meanwhile is no error', async () => {
    await write(3)
    const vanishing: ResourceStore = Object.create(store, {
      putStatus: {
        value: async (...args: Parameters<ResourceStore['putStatus']>) => {
          await store.delete(key)
          return store.putStatus(...args)
        },
      },
    })
    const r = reconciler(vanishing)
    await expect(r.reconcile('public/w')).resolves.toEqual({})
  })
})
