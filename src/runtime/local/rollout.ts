// What to do to converge a worker's replicas on the desired revision and count: a pure
// function of what runs, tested as a table (test/unit/runtime/rollout.test.ts). The runtime
// carries the plan out.
//
// Rolling update as a Deployment with maxSurge 1, maxUnavailable 0: one new replica at a time,
// started only once every new one so far is ready; an old one stopped for each new one that is
// ready. A new revision that crash-loops stops the rollout with the old replicas running.

export interface ObservedReplica {
  id: string
  index: number
  revision: string
  ready: boolean
  crashLooping: boolean
  /** Waiting for its next start, which is due now. */
  restartDue: boolean
  /** Adopted from an earlier control plane, exited, and its revision's spec is gone: it cannot be restarted. */
  orphaned: boolean
}

export interface RolloutPlan {
  /** Replicas to stop, with the reason (an event). */
  stop: {id: string; why: string}[]
  /** Replica indexes to create with the desired revision. */
  create: number[]
  /** Replicas whose restart is due now. */
  restart: string[]
  rolloutBlocked: boolean
}

export function planRollout(
  observed: readonly ObservedReplica[],
  desired: {revision: string; replicas: number},
): RolloutPlan {
  const plan: RolloutPlan = {stop: [], create: [], restart: [], rolloutBlocked: false}
  const want = desired.replicas
  for (const r of observed) if (r.orphaned) plan.stop.push({id: r.id, why: 'its revision is gone'})
  const live = observed.filter((r) => !r.orphaned)
  const current = live.filter((r) => r.revision === desired.revision)
  const old = live.filter((r) => r.revision !== desired.revision)

  // Scale the current revision down: highest indexes first.
  for (const r of current.filter((r) => r.index >= want).sort((a, b) => b.index - a.index))
    plan.stop.push({id: r.id, why: 'scaled down'})
  const kept = current.filter((r) => r.index < want)
  for (const r of kept) if (r.restartDue) plan.restart.push(r.id)
  const missing = Array.from({length: want}, (_, i) => i).filter((i) => !kept.some((r) => r.index === i))

  if (old.length === 0) {
    plan.create.push(...missing)
    return plan
  }
  plan.rolloutBlocked = kept.some((r) => r.crashLooping)
  const readyNew = kept.filter((r) => r.ready).length
  if (!plan.rolloutBlocked && missing.length > 0 && readyNew === kept.length) plan.create.push(missing[0]!)
  const allowedOld = plan.rolloutBlocked ? old.length : Math.max(0, want - readyNew)
  const byIndex = [...old].sort((a, b) => b.index - a.index)
  for (const r of byIndex.slice(0, Math.max(0, old.length - allowedOld)))
    plan.stop.push({id: r.id, why: `replaced by revision ${desired.revision}`})
  return plan
}
