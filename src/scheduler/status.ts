// A worker's status from what runs: conditions carry the state (Ready, Progressing, Degraded,
// CrashLooping, LimitsEnforced), the phase is derived from them, as Kubernetes does it.
import type {Condition, ResourceStatus} from '../resources/stored.js'
import type {ObservedWorkload} from '../runtime/runtime.js'

export interface StatusInput {
  generation: number
  desiredReplicas: number
  observed?: ObservedWorkload
  dryRun: boolean
  /** Why the worker cannot run (stack or secret missing); undefined when it can. */
  error?: string
  /** Whether the worker asks for limits the runtime cannot enforce, and what. */
  limitsProblem?: string
  previous?: ResourceStatus
  now: string
  /** Conditions others own (the autoscaler's ScalingActive, AbleToScale, ScalingLimited). */
  extraConditions?: readonly {type: string; status: Condition['status']; reason: string; message: string}[]
}

function condition(
  previous: Condition[] | undefined,
  generation: number,
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  now: string,
): Condition {
  const before = previous?.find((c) => c.type === type)
  return {
    type,
    status,
    reason,
    message,
    observedGeneration: generation,
    lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now,
  }
}

export function computeStatus(input: StatusInput): ResourceStatus {
  const {observed, desiredReplicas: desired, now} = input
  const prev = input.previous?.conditions
  const gen = input.generation
  const base = {observedGeneration: input.generation, desiredReplicas: desired}
  if (input.dryRun) {
    return {
      ...base,
      phase: 'DryRun',
      replicas: 0,
      readyReplicas: 0,
      conditions: [
        condition(
          prev,
          gen,
          'Ready',
          'False',
          'DryRun',
          'dryRun: the worker is stored and validated, never started',
          now,
        ),
      ],
    }
  }
  if (input.error) {
    return {
      ...base,
      phase: 'Failed',
      replicas: observed?.replicas.length ?? 0,
      readyReplicas: 0,
      lastError: input.error,
      conditions: [
        condition(prev, gen, 'Ready', 'False', 'CannotRun', input.error, now),
        condition(prev, gen, 'Degraded', 'True', 'CannotRun', input.error, now),
      ],
    }
  }
  const replicas = observed?.replicas ?? []
  const current = replicas.filter((r) => r.revision === observed?.revision && r.phase !== 'Stopping')
  const old = replicas.filter((r) => r.revision !== observed?.revision && r.phase !== 'Stopping')
  const rolloutBlocked = observed?.rolloutBlocked === true
  // What serves: the new revision's ready replicas, and while its rollout is blocked the old
  // revision's that keep running (a blocked rollout with 2 old replicas up is running:2/2).
  const ready = (rolloutBlocked ? [...current, ...old] : current).filter((r) => r.ready).length
  const crashLooping = current.filter((r) => r.crashLooping)
  const unhealthy = current.filter((r) => r.phase === 'Waiting' || r.phase === 'Failed')
  const progressing = !rolloutBlocked && (current.length !== desired || old.length > 0 || ready < desired)
  const lastExit = [...current].filter((r) => r.lastExit).sort((a, b) => (a.lastExit!.at < b.lastExit!.at ? 1 : -1))[0]
  const failedToStart = current.find((r) => r.message)

  const conditions: Condition[] = [
    condition(
      prev,
      gen,
      'Ready',
      ready >= desired ? 'True' : 'False',
      ready >= desired ? 'ReplicasReady' : 'ReplicasNotReady',
      `${ready}/${desired} replicas ready`,
      now,
    ),
    condition(
      prev,
      gen,
      'Progressing',
      progressing ? 'True' : 'False',
      progressing ? (old.length > 0 ? 'RollingUpdate' : 'Scaling') : rolloutBlocked ? 'RolloutBlocked' : 'Complete',
      progressing
        ? old.length > 0
          ? `rolling out revision ${observed?.revision}: ${current.length} new, ${old.length} old`
          : `${current.length}/${desired} replicas started`
        : rolloutBlocked
          ? `revision ${observed?.revision} crash-loops; ${old.length} old replicas keep running`
          : `revision ${observed?.revision ?? '-'} rolled out`,
      now,
    ),
    condition(
      prev,
      gen,
      'Degraded',
      unhealthy.length > 0 || rolloutBlocked ? 'True' : 'False',
      unhealthy.length > 0 ? 'ReplicasRestarting' : rolloutBlocked ? 'RolloutBlocked' : 'Healthy',
      unhealthy.length > 0
        ? `${unhealthy.length} replicas waiting to restart${failedToStart?.message ? `: ${failedToStart.message}` : ''}`
        : rolloutBlocked
          ? 'the new revision does not start'
          : 'all replicas healthy',
      now,
    ),
    condition(
      prev,
      gen,
      'CrashLooping',
      crashLooping.length > 0 ? 'True' : 'False',
      crashLooping.length > 0 ? 'CrashLoopBackOff' : 'NotCrashLooping',
      crashLooping.length > 0
        ? `${crashLooping.length} replicas exit repeatedly (last: ${lastExit?.lastExit ? `${lastExit.lastExit.reason}, code ${lastExit.lastExit.code ?? lastExit.lastExit.signal}` : 'unknown'})`
        : 'no replica crash-loops',
      now,
    ),
    condition(
      prev,
      gen,
      'LimitsEnforced',
      input.limitsProblem ? 'False' : 'True',
      input.limitsProblem ? 'NotEnforceable' : 'Enforced',
      input.limitsProblem ?? 'requested limits are enforced',
      now,
    ),
    ...(input.extraConditions ?? []).map((c) => condition(prev, gen, c.type, c.status, c.reason, c.message, now)),
  ]
  let phase = 'Running'
  if (desired === 0 && replicas.length === 0) phase = 'Stopped'
  else if (rolloutBlocked)
    phase = ready >= desired ? 'Running' : 'Degraded' // the conditions say it is blocked
  else if (crashLooping.length > 0) phase = 'CrashLooping'
  else if (ready === 0 && current.every((r) => !r.ready) && progressing && old.length === 0) phase = 'Pending'
  else if (unhealthy.length > 0 || rolloutBlocked) phase = 'Degraded'
  else if (progressing) phase = 'Progressing'
  const lastError =
    failedToStart?.message ??
    (crashLooping.length > 0 && lastExit?.lastExit
      ? `last exit: ${lastExit.lastExit.reason} (code ${lastExit.lastExit.code ?? lastExit.lastExit.signal})`
      : undefined)
  return {
    ...base,
    phase,
    replicas: replicas.filter((r) => r.phase !== 'Stopping').length,
    readyReplicas: ready,
    ...(observed?.revision ? {revision: observed.revision} : {}),
    conditions,
    ...(lastError ? {lastError} : {}),
  }
}
