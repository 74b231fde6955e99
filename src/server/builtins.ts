// The built-in resources (resources/builtins.ts) registered at every start: the stacks each time
// (idempotently), the local compute when missing. Ordinary resources of the system layer.
import {BUILTIN_STACKS, LOCAL_COMPUTE} from '../resources/builtins.js'
import {computeStatusOf} from '../resources/compute.js'
import type {ResourceStore} from '../store/store.js'

const SYSTEM_OWNER = 'system'

/** Registers the built-in stacks (every start) and the local compute (when missing). */
export async function registerBuiltins(store: ResourceStore): Promise<void> {
  const computeKey = {workspace: '', type: 'compute', name: String(LOCAL_COMPUTE.name)}
  const existing = await store.get(computeKey)
  // Kept as the admin left it; its status names its dataplane.
  if (existing && existing.status.dataplane === undefined)
    await store.putStatus(computeKey, computeStatusOf(existing.manifest))
  if (!existing)
    await store.putSpec(
      {key: computeKey, version: 'v1', owner: SYSTEM_OWNER, manifest: LOCAL_COMPUTE},
      {
        initialStatus: computeStatusOf(LOCAL_COMPUTE),
        event: () => ({type: 'Normal', reason: 'Registered', message: 'built-in compute runnable-default'}),
      },
    )
  await registerBuiltinStacks(store)
}

async function registerBuiltinStacks(store: ResourceStore): Promise<void> {
  for (const manifest of BUILTIN_STACKS) {
    await store.putSpec(
      {
        key: {workspace: '', type: 'stack', name: String(manifest.name)},
        version: String(manifest.version),
        owner: SYSTEM_OWNER,
        manifest,
      },
      {
        initialStatus: {phase: 'Active'},
        event: (r) => ({type: 'Normal', reason: 'Registered', message: `built-in stack ${r}`}),
      },
    )
  }
}
