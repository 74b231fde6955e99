// What runs on a Kubernetes dataplane, in the local runtime's terms: a worker's Deployment and
// pods become the replicas the status is computed from (scheduler/status.ts), so that `get` shows
// the same RUNTIME column and conditions wherever a worker runs; its HPA's conditions are the
// local autoscaler's; Kubernetes events and pod metrics become drover's. Pure.
import type {IDeployment} from 'kubernetes-models/apps/v1/Deployment'
import type {IHorizontalPodAutoscaler} from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import type {IEvent} from 'kubernetes-models/v1/Event'
import type {IPod} from 'kubernetes-models/v1/Pod'
import {parseMemory} from '../../resources/quantity.js'
import {LABELS} from '../../resources/kubernetes/render.js'
import type {
  LimitsSupport,
  ObservedWorkload,
  ReplicaPhase,
  ReplicaState,
  RuntimeEvent,
  WorkloadKey,
} from '../runtime.js'

/** Limits on Kubernetes are the kubelet's: cgroups, every one enforced. */
const KUBERNETES_LIMITS: LimitsSupport = {
  memory: 'cgroup-v2',
  cpu: 'cgroup-v2',
  readOnlyVolumes: true,
  detail: 'enforced by the kubelet (cgroups), as the pod spec says',
}

function phaseOf(pod: IPod): {phase: ReplicaPhase; crashLooping: boolean; message?: string} {
  const container = pod.status?.containerStatuses?.[0]
  const waiting = container?.state?.waiting
  if (pod.metadata?.deletionTimestamp) return {phase: 'Stopping', crashLooping: false}
  if (waiting?.reason === 'CrashLoopBackOff')
    return {phase: 'Waiting', crashLooping: true, message: waiting.message ?? 'CrashLoopBackOff'}
  const unschedulable = pod.status?.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
  )
  if (unschedulable)
    return {phase: 'Starting', crashLooping: false, message: `Unschedulable: ${unschedulable.message ?? ''}`}
  if (waiting?.reason && waiting.reason !== 'ContainerCreating' && waiting.reason !== 'PodInitializing')
    return {
      phase: 'Waiting',
      crashLooping: false,
      message: `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`,
    }
  switch (pod.status?.phase) {
    case 'Running':
      return {phase: container?.state?.running ? 'Running' : 'Starting', crashLooping: false}
    case 'Succeeded':
    case 'Failed':
      return {phase: 'Failed', crashLooping: false, message: pod.status.reason ?? pod.status.message}
    default:
      return {phase: 'Starting', crashLooping: false}
  }
}

function replicaOf(pod: IPod, index: number): ReplicaState {
  const container = pod.status?.containerStatuses?.[0]
  const terminated = container?.lastState?.terminated
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')
  const {phase, crashLooping, message} = phaseOf(pod)
  return {
    id: pod.metadata?.name ?? `pod-${index}`,
    index,
    revision: pod.metadata?.labels?.[LABELS.revision] ?? '',
    phase,
    restarts: container?.restartCount ?? 0,
    ...(terminated
      ? {
          lastExit: {
            code: terminated.exitCode,
            signal: terminated.signal === undefined ? null : String(terminated.signal),
            reason: terminated.reason ?? (terminated.exitCode === 0 ? 'Completed' : 'Error'),
            at: String(terminated.finishedAt ?? ''),
          },
        }
      : {}),
    ...(container?.state?.running?.startedAt ? {startedAt: String(container.state.running.startedAt)} : {}),
    ready: ready?.status === 'True',
    ...(ready?.status === 'True' && ready.lastTransitionTime ? {readySince: String(ready.lastTransitionTime)} : {}),
    crashLooping,
    ...(message ? {message} : {}),
    ...(pod.spec?.nodeName ? {node: pod.spec.nodeName} : {}),
  }
}

/** The conditions drover's autoscaler also reports; an HPA's others (none today) are left out. */
const SCALING = new Set(['AbleToScale', 'ScalingActive', 'ScalingLimited'])

function scalingConditions(hpa: IHorizontalPodAutoscaler | undefined): ObservedWorkload['scalingConditions'] {
  const conditions = (hpa?.status?.conditions ?? []).filter((c) => SCALING.has(c.type))
  return conditions.length === 0
    ? undefined
    : conditions.map((c) => ({
        type: c.type,
        status: c.status === 'True' || c.status === 'False' ? c.status : 'Unknown',
        reason: c.reason ?? '',
        message: c.message ?? '',
      }))
}

/** metrics-server's CPU: nanocores (`123456n`), microcores (`u`), millicores (`m`) or cores. */
function cores(text: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([num]?)$/.exec(text ?? '')
  if (!m) return undefined
  return Number(m[1]) / {n: 1e9, u: 1e6, m: 1e3, '': 1}[m[2] as 'n' | 'u' | 'm' | '']
}

/** A pod's usage from its PodMetrics (metrics.k8s.io), summed over its containers. */
export function usageOf(
  metrics: {containers?: {usage?: {cpu?: string; memory?: string}}[]} | undefined,
): ReplicaState['usage'] {
  if (!metrics?.containers?.length) return undefined
  let cpuCores = 0
  let memoryBytes = 0
  for (const c of metrics.containers) {
    const cpu = cores(c.usage?.cpu)
    const memory = parseMemory(c.usage?.memory)
    if (cpu === undefined || memory === undefined) return undefined
    cpuCores += cpu
    memoryBytes += memory
  }
  return {cpuCores, memoryBytes}
}

/** A Kubernetes event as one of drover's: its type and reason, its message naming the object. */
export function forwardedEvent(event: IEvent): Omit<RuntimeEvent, 'key'> {
  const involved = event.involvedObject
  return {
    type: event.type === 'Warning' ? 'Warning' : 'Normal',
    reason: event.reason ?? 'Unknown',
    message: `${(involved.kind ?? 'object').toLowerCase()} ${involved.name ?? ''}: ${event.message ?? ''}`.trim(),
  }
}

/** A worker's Deployment and pods as the runtime port reports a workload. */
export function observeWorkload(
  key: WorkloadKey,
  deployment: IDeployment | undefined,
  pods: readonly IPod[],
  hpa?: IHorizontalPodAutoscaler,
): ObservedWorkload {
  const ordered = [...pods].sort(
    (a, b) =>
      String(a.metadata?.creationTimestamp ?? '').localeCompare(String(b.metadata?.creationTimestamp ?? '')) ||
      String(a.metadata?.name).localeCompare(String(b.metadata?.name)),
  )
  const progressing = deployment?.status?.conditions?.find((c) => c.type === 'Progressing')
  const revision = deployment?.metadata?.labels?.[LABELS.revision]
  const replicas = ordered.map(replicaOf)
  // As on the local runtime: new pods that crash-loop while old ones serve block the rollout
  // (the Deployment itself says so only at its progress deadline).
  const newCrashLooping = replicas.some((r) => r.revision === revision && r.crashLooping)
  const oldServing = replicas.some((r) => r.revision !== revision && r.phase !== 'Stopping')
  const scaling = scalingConditions(hpa)
  return {
    key,
    ...(revision ? {revision} : {}),
    replicas,
    ...(typeof deployment?.spec?.replicas === 'number' ? {desiredReplicas: deployment.spec.replicas} : {}),
    ...(scaling ? {scalingConditions: scaling} : {}),
    rolloutBlocked:
      (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') ||
      (newCrashLooping && oldServing),
    limits: KUBERNETES_LIMITS,
  }
}
