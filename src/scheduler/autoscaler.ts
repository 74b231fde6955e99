// The autoscaler loop: every period, per-replica CPU and memory usage relative to the
// requests of every autoscaled worker goes through the HPA algorithm (hpa.ts); a change of
// replica count is recorded as an event that says why, and the worker is reconciled.
import {parseCpu, parseMemory} from '../resources/quantity.js'
import {type WorkloadKey, type WorkloadRuntime, workloadId} from '../runtime/runtime.js'
import {type ResourceStore, type StoredRecord, listAll} from '../store/store.js'
import {type AutoscalerPolicy, type MetricInput, type Recommendation, decideScale} from './hpa.js'
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

export class Autoscaler {
  private readonly decisions = new Map<string, number>()
  private readonly history = new Map<string, Recommendation[]>()
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
      for (const record of await this.workers()) await this.scaleOne(record)
    } finally {
      this.running = false
    }
  }

  private async scaleOne(record: StoredRecord): Promise<void> {
    const worker = workerSpec(record.manifest)
    const scaling = autoscalingSpec(worker)
    const key = {workspace: record.key.workspace, name: record.key.name}
    if (record.status.stopped === true) return // stopped: nothing runs, nothing to scale
    if (!scaling || worker.dryRun === true) {
      this.decisions.delete(id(key))
      this.history.delete(id(key))
      return
    }
    const observed = this.deps.runtime.observe(key)
    if (!observed) return
    const now = this.now()
    const current = desiredReplicas(worker, record.status, this.decisions.get(id(key)))
    const requests = worker.resources?.requests ?? {}
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
        .filter(
          (r) =>
            r.startedAt &&
            now - Date.parse(r.startedAt) >= this.deps.policy.cpuInitializationMs &&
            r.usage!.cpuCores !== undefined,
        )
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
    if (metrics.length === 0 && current >= min && current <= max) return
    const history = this.history.get(id(key)) ?? []
    const decision = decideScale({current, min, max, metrics, history, now}, this.deps.policy)
    this.history.set(
      id(key),
      [...history, {at: now, replicas: decision.raw}].filter(
        (h) => now - h.at <= this.deps.policy.scaleDownStabilizationMs,
      ),
    )
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
