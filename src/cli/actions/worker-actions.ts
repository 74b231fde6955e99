// `drover scale`, `stop`, `start` and `restart`: what users do to a running worker without
// writing a manifest (kubectl scale and rollout restart, pm2 stop/start/reload).
import type {WorkerAction} from '../../api/types.js'
import {UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {resourceLabel} from '../output/resources.js'
import {withClient} from '../remote.js'
import {type WorkerFlags, workerRef} from './runtime.js'

export interface WorkerActionFlags extends WorkerFlags {
  replicas?: string
}

function replicasOf(flags: WorkerActionFlags): number {
  const text = flags.replicas ?? ''
  const n = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(n))
    throw new UsageError(`--replicas must be a whole number of 0 or more, not ${JSON.stringify(text)}`)
  return n
}

/** The action behind one of the four commands. */
export function workerAction(action: WorkerAction) {
  return async (flags: WorkerActionFlags, io: Io): Promise<Outcome> => {
    const ref = workerRef(flags)
    const body = action === 'scale' ? {replicas: replicasOf(flags)} : {}
    const response = await withClient(io, (client) => client.workerAction(ref, action, body))
    const m = response.resource.manifest
    const label = resourceLabel({
      name: String(m.name),
      version: String(m.version),
      type: String(m.type),
      workspace: response.resource.metadata.workspace,
    })
    return {
      data: {id: response.resource.metadata.id, action, result: response.result, changed: response.changed},
      render: () => `${label}: ${response.result}`,
    }
  }
}
