// The autoscaler loop: every period, per-replica CPU and memory usage relative to the
// requests of every autoscaled worker goes through the HPA algorithm (hpa.ts); a change of
// replica count is recorded as an event that says why, and the worker is reconciled.
import {computeSpec, effectiveResources} from '../resources/compute.js'
import type {ComputeSpec} from '../resources/model/compute-v1.js'
import {parseCpu, parseMemory} from '../resources/quantity.js'
import {type ReplicaState, type WorkloadKey, type WorkloadRuntime, workloadId} from '../runtime/runtime.js'
import {type ResourceStore, type StoredRecord, listAll} from '../store/store.js'
import {type AutoscalerPolicy, type MetricInput, type Recommendation, type ScaleDecision, decideScale} from './hpa.js'
import {desiredReplicas} from './worker-reconciler.js'
import {autoscalingSpec, workerSpec} from '../resources/rules.js'

const id = workloadId

export interface AutoscalerDeps {
  store: ResourceStore
  runtime: WorkloadRuntime
  policy: AutoscalerPolicy
  enqueue: (id: string) => void
  now?: () => number
  /** A tick failed (logged and counted by the caller). */
  onError?: (error: unknown) => void
}

/** HPA's conditions on a worker's status: why it scales, or why it cannot. */
export interface ScalingCondition {
  type: 'ScalingActive' | 'AbleToScale' | 'ScalingLimited'
  status: 'True' | 'False'
  reason: string
  message: string
}

/** What the autoscaler keeps in a worker's status: its conditions and its scale-down window. */
export interface ScalingState {
  conditions: ScalingCondition[]
  recommendations: Recommendation[]
}

/**
 * Whether a replica's CPU sample counts, by the HPA's rule: within cpuInitializationPeriod of
 * its start, only once it is ready and measured over a window that began after it became ready
 * (start-up spikes left out); after that period, whenever it is ready.
 */
export function cpuSampleCounts(r: ReplicaState, now: number, initializationMs: number): boolean {
  if (!r.ready || r.usage?.cpuCores === undefined || r.startedAt === undefined) return false
  if (now - Date.parse(r.startedAt) >= initializationMs) return true
  return (
    r.readySince !== undefined &&
    r.usage.cpuSince !== undefined &&
    Date.parse(r.usage.cpuSince) >= Date.parse(r.readySince)
  )
}

const active = (status: 'True' | 'False', reason: string, message: string): ScalingCondition => ({
  type: 'ScalingActive',
  status,
  reason,
  message,
})

export class Autoscaler {
  private readonly decisions = new Map<string, number>()
  private readonly history = new Map<string, Recommendation[]>()
  private readonly conditions = new Map<string, ScalingCondition[]>()
  private timer?: NodeJS.Timeout
  private running = false
  private readonly now: () => number

  constructor(private readonly deps: AutoscalerDeps) {
    this.now = deps.now ?? Date.now
  }

  /** The live replica count the autoscaler chose for a worker. */
  scaled(key: WorkloadKey): number | undefined {
    return this.decisions.get(id(key))
  }

  /** Its conditions and scale-down window, for the worker's status (kept across restarts). */
  state(key: WorkloadKey): ScalingState | undefined {
    const conditions = this.conditions.get(id(key))
    return conditions ? {conditions, recommendations: this.history.get(id(key)) ?? []} : undefined
  }

  /** Sets a worker's conditions; a change is written to its status by a reconcile. */
  private setConditions(key: WorkloadKey, conditions: ScalingCondition[]): void {
    const before = JSON.stringify(this.conditions.get(id(key)))
    this.conditions.set(id(key), conditions)
    if (JSON.stringify(conditions) !== before) this.deps.enqueue(id(key))
  }

  start(): void {
    this.timer = setInterval(
      () => this.tick().catch((error: unknown) => this.deps.onError?.(error)),
      this.deps.policy.periodMs,
    )
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  private workers(): Promise<StoredRecord[]> {
    return listAll(this.deps.store, {type: 'worker'})
  }

  async tick(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      await this.deps.runtime.sample()
      const computes = new Map(
        (await listAll(this.deps.store, {type: 'compute'})).map((c) => [c.key.name, computeSpec(c.manifest)]),
      )
      for (const record of await this.workers()) await this.scaleOne(record, computes)
    } finally {
      this.running = false
    }
  }

  private async scaleOne(record: StoredRecord, computes: Map<string, ComputeSpec>): Promise<void> {
    const worker = workerSpec(record.manifest)
    const scaling = autoscalingSpec(worker)
    const key = {workspace: record.key.workspace, name: record.key.name}
    if (!scaling || worker.dryRun === true) {
      this.decisions.delete(id(key))
      this.history.delete(id(key))
      this.conditions.delete(id(key))
      return
    }
    // The scale-down window survives a restart: it is kept in the status the reconciler writes.
    if (!this.history.has(id(key))) this.history.set(id(key), persistedWindow(record.status.autoscaler))
    if (record.status.stopped === true) {
      this.setConditions(key, [active('False', 'ScalingDisabled', 'the worker is stopped: drover start runs it')])
      return
    }
    const observed = this.deps.runtime.observe(key)
    if (!observed) return
    const now = this.now()
    const current = desiredReplicas(worker, record.status, this.decisions.get(id(key)))
    // Utilization is measured against the request: the worker's, else its compute's default.
    const {requests} = effectiveResources(worker.resources, computes.get(worker.compute)?.defaults)
    const cpuRequest = parseCpu(requests.cpu) ?? this.deps.policy.defaultRequests.cpu
    const memoryRequest = parseMemory(requests.memory) ?? this.deps.policy.defaultRequests.memory
    let cpuTarget = scaling.targetCPUUtilizationPercentage
    const memoryTarget = scaling.targetMemoryUtilizationPercentage
    if (cpuTarget === undefined && memoryTarget === undefined) cpuTarget = this.deps.policy.defaultCpuTarget
    const ready = observed.replicas.filter((r) => r.revision === observed.revision && r.ready && r.usage)
    const metrics: MetricInput[] = []
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    if (cpuTarget !== undefined && cpuRequest) {
      // CPU of replicas still starting up is left out (start-up spikes), as the HPA does.
      const samples = ready
        .filter((r) => cpuSampleCounts(r, now, this.deps.policy.cpuInitializationMs))
        .map((r) => (r.usage!.cpuCores! / cpuRequest) * 100)
      if (samples.length > 0) metrics.push({name: 'cpu', utilization: mean(samples), target: cpuTarget})
    }
    if (memoryTarget !== undefined && memoryRequest) {
      const samples = ready
        .filter((r) => r.usage!.memoryBytes !== undefined)
        .map((r) => (r.usage!.memoryBytes! / memoryRequest) * 100)
      if (samples.length > 0) metrics.push({name: 'memory', utilization: mean(samples), target: memoryTarget})
    }
    const min = scaling.minReplicas ?? 1
    const max = scaling.maxReplicas
    // Without usable samples there is nothing to decide (the replicas are starting).
    if (metrics.length === 0 && current >= min && current <= max) {
      const starting = observed.replicas.filter((r) => r.revision === observed.revision && !r.ready).length
      this.setConditions(key, [
        active(
          'False',
          'FailedGetResourceMetric',
          `no usable ${cpuTarget !== undefined ? 'CPU' : 'memory'} sample yet${starting > 0 ? `: ${starting} replicas not ready` : ': replicas are sampled once ready'}`,
        ),
      ])
      return
    }
    const history = this.history.get(id(key)) ?? []
    const decision = decideScale({current, min, max, metrics, history, now}, this.deps.policy)
    this.history.set(
      id(key),
      [...history, {at: now, replicas: decision.raw}].filter(
        (h) => now - h.at <= this.deps.policy.scaleDownStabilizationMs,
      ),
    )
    this.setConditions(key, scalingConditions(decision, metrics.length > 0, min, max))
    if (decision.desired === current) return
    this.decisions.set(id(key), decision.desired)
    await this.deps.store.addEvent(record.key, {
      type: 'Normal',
      reason: 'Scaled',
      message: `scaled ${current} → ${decision.desired}: ${decision.reason}`,
    })
    this.deps.enqueue(id(key))
  }
}

/** The recommendations a status kept (written by the reconciler from state()). */
function persistedWindow(saved: unknown): Recommendation[] {
  const list = (saved as {recommendations?: unknown} | undefined)?.recommendations
  if (!Array.isArray(list)) return []
  return list.filter(
    (h): h is Recommendation =>
      typeof h === 'object' && h !== null && Number.isFinite(h.at) && Number.isInteger(h.replicas),
  )
}

/** HPA's three conditions for a decision. */
function scalingConditions(decision: ScaleDecision, measured: boolean, min: number, max: number): ScalingCondition[] {
  const limited: Record<NonNullable<ScaleDecision['limitedBy']>, [string, string] | undefined> = {
    max: ['TooManyReplicas', `the recommendation (${decision.raw}) is above maxReplicas ${max}`],
    min: ['TooFewReplicas', `the recommendation (${decision.raw}) is below minReplicas ${min}`],
    rate: ['ScaleUpLimit', `scale-up is limited per period: ${decision.reason}`],
    stabilization: undefined,
  }
  const held = decision.limitedBy ? limited[decision.limitedBy] : undefined
  return [
    measured
      ? active('True', 'ValidMetricFound', decision.reason || 'utilization within the tolerance of the target')
      : active('False', 'FailedGetResourceMetric', `no usable sample: ${decision.reason}`),
    decision.limitedBy === 'stabilization'
      ? {type: 'AbleToScale', status: 'True', reason: 'ScaleDownStabilized', message: decision.reason}
      : {type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'the recommendation is applied'},
    held
      ? {type: 'ScalingLimited', status: 'True', reason: held[0], message: held[1]}
      : {
          type: 'ScalingLimited',
          status: 'False',
          reason: 'DesiredWithinRange',
          message: `the recommendation is within ${min} to ${max} replicas`,
        },
  ]
}
