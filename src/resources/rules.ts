// Cross-field rules: what a JSON Schema cannot say (or says badly). Pure functions over a
// manifest that already passed the schema; shared by the ajv path (CLI, server) and the zod
// models (superRefine), so both report the same problems at the same paths.
import type {Problem} from './problems.js'
import {formatMemory, parseCpu, parseMemory} from './quantity.js'
import {isObject, type Json} from '../lib/json.js'
import type {AutoscalingSpec, WorkerSpec} from './model/worker-v1beta.js'

const DEFAULT_CPU_TARGET = 80

/** The autoscaling block under either spelling, with the key it was written under. */
function autoscalingOf(worker: Json): {key: 'autoscaling' | 'autoScaling'; block: Json} | undefined {
  if (isObject(worker.autoscaling)) return {key: 'autoscaling', block: worker.autoscaling}
  if (isObject(worker.autoScaling)) return {key: 'autoScaling', block: worker.autoScaling}
  return undefined
}

/**
 * The worker section of a stored manifest. Stored manifests passed validation when they were
 * written, so the one cast here is the boundary between stored JSON and the typed model.
 */
export function workerSpec(manifest: Json): WorkerSpec {
  return (isObject(manifest.worker) ? manifest.worker : {}) as WorkerSpec
}

/** A stored worker's autoscaling, under either spelling (DataOS samples write autoScaling); undefined when off. */
export function autoscalingSpec(worker: WorkerSpec): AutoscalingSpec | undefined {
  const block = worker.autoscaling ?? worker.autoScaling
  return block && block.enabled !== false ? block : undefined
}

function workerRules(worker: Json): Problem[] {
  const problems: Problem[] = []
  if (worker.autoscaling !== undefined && worker.autoScaling !== undefined) {
    problems.push({
      path: ['worker', 'autoScaling'],
      code: 'Duplicate',
      detail: 'autoscaling and autoScaling are two spellings of the same field',
      hint: 'keep only one of them',
      anchor: 'key',
    })
  }
  const resources = isObject(worker.resources) ? worker.resources : {}
  const requests = isObject(resources.requests) ? resources.requests : {}
  const limits = isObject(resources.limits) ? resources.limits : {}

  const scaling = autoscalingOf(worker)
  if (scaling && scaling.block.enabled !== false) {
    const {key, block} = scaling
    const min = typeof block.minReplicas === 'number' ? block.minReplicas : 1
    if (typeof block.maxReplicas === 'number' && min > block.maxReplicas) {
      problems.push({
        path: ['worker', key, 'minReplicas'],
        code: 'InvalidValue',
        value: min,
        detail: `must be less than or equal to maxReplicas (${block.maxReplicas})`,
      })
    }
    const cpuTarget = block.targetCPUUtilizationPercentage
    const memoryTarget = block.targetMemoryUtilizationPercentage
    if (cpuTarget === undefined && memoryTarget === undefined && requests.cpu === undefined) {
      problems.push({
        path: ['worker', key],
        code: 'Defaulted',
        severity: 'warning',
        detail: `without a target, autoscaling scales on CPU at ${DEFAULT_CPU_TARGET} % of worker.resources.requests.cpu, which is not set: the control plane's default cpu request applies`,
        hint: 'set worker.resources.requests.cpu, or a utilization target',
        anchor: 'key',
      })
    }
    // DataOS fills requests from the compute; drover from the control plane's defaults
    // (defaultCpuRequest, defaultMemoryRequest). Valid, with a warning.
    if (cpuTarget !== undefined && requests.cpu === undefined) {
      problems.push({
        path: ['worker', key, 'targetCPUUtilizationPercentage'],
        code: 'Defaulted',
        severity: 'warning',
        detail:
          "utilization is measured against worker.resources.requests.cpu, which is not set: the control plane's default cpu request applies",
        hint: 'set worker.resources.requests.cpu (e.g. "250m")',
        anchor: 'key',
      })
    }
    if (memoryTarget !== undefined && requests.memory === undefined) {
      problems.push({
        path: ['worker', key, 'targetMemoryUtilizationPercentage'],
        code: 'Defaulted',
        severity: 'warning',
        detail:
          "utilization is measured against worker.resources.requests.memory, which is not set: the control plane's default memory request applies",
        hint: 'set worker.resources.requests.memory (e.g. "256Mi")',
        anchor: 'key',
      })
    }
  }

  const cpuRequest = parseCpu(requests.cpu)
  const cpuLimit = parseCpu(limits.cpu)
  if (cpuRequest !== undefined && cpuLimit !== undefined && cpuRequest > cpuLimit) {
    problems.push({
      path: ['worker', 'resources', 'requests', 'cpu'],
      code: 'InvalidValue',
      value: requests.cpu,
      detail: `must be less than or equal to the cpu limit (${String(limits.cpu)})`,
    })
  }
  const memoryRequest = parseMemory(requests.memory)
  const memoryLimit = parseMemory(limits.memory)
  if (memoryRequest !== undefined && memoryLimit !== undefined && memoryRequest > memoryLimit) {
    problems.push({
      path: ['worker', 'resources', 'requests', 'memory'],
      code: 'InvalidValue',
      value: requests.memory,
      detail: `must be less than or equal to the memory limit (${typeof limits.memory === 'number' ? formatMemory(limits.memory) : String(limits.memory)})`,
    })
  }

  if (Array.isArray(worker.dataosSecrets)) {
    worker.dataosSecrets.forEach((ref, i) => {
      if (!isObject(ref)) return
      const chosen = (['key', 'keys', 'allKeys'] as const).filter((k) => ref[k] !== undefined && ref[k] !== false)
      if (chosen.length > 1) {
        problems.push({
          path: ['worker', 'dataosSecrets', i, chosen[1]!],
          code: 'Forbidden',
          detail: `may not be combined with ${chosen[0]}: choose key, keys or allKeys`,
          anchor: 'key',
        })
      }
    })
  }
  return problems
}

function stackRules(stack: Json): Problem[] {
  const schemaBlock = isObject(stack.stackSpecValueSchema) ? stack.stackSpecValueSchema : {}
  if (typeof schemaBlock.jsonSchema === 'string') {
    let parsed: unknown
    try {
      parsed = JSON.parse(schemaBlock.jsonSchema)
    } catch (error) {
      return [
        {
          path: ['stack', 'stackSpecValueSchema', 'jsonSchema'],
          code: 'InvalidValue',
          detail: `must be a JSON document (${(error as Error).message})`,
          hint: 'or write the schema as a YAML mapping instead of text',
        },
      ]
    }
    if (!isObject(parsed)) {
      return [
        {
          path: ['stack', 'stackSpecValueSchema', 'jsonSchema'],
          code: 'InvalidValue',
          detail: 'must be a JSON Schema object',
        },
      ]
    }
  }
  return []
}

/** Rules of every type, applied to a manifest that passed its JSON Schema. */
export function crossFieldProblems(manifest: Json): Problem[] {
  const type = String(manifest.type)
  const problems: Problem[] = []
  if (type === 'worker' && isObject(manifest.worker)) problems.push(...workerRules(manifest.worker))
  if (type === 'stack' && isObject(manifest.stack)) problems.push(...stackRules(manifest.stack))
  return problems
}
