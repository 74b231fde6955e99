// The Kubernetes HorizontalPodAutoscaler algorithm (DESIGN §5), as a pure function:
//   desired = ceil(current × usage / target) per metric, the largest across metrics;
//   no change within the tolerance; scale-up at most max(4 pods, 100 %) per period;
//   scale-down to the highest recommendation of the stabilization window; within min..max.

export interface AutoscalerPolicy {
  periodMs: number
  tolerance: number
  scaleDownStabilizationMs: number
  scaleUpLimitPods: number
  scaleUpLimitPercent: number
  /** Used when autoscaling names no target. */
  defaultCpuTarget: number
  /** CPU samples of replicas younger than this are ignored (start-up spikes). */
  cpuInitializationMs: number
  /** Cores and bytes a utilization target is measured against when the worker requests none. */
  defaultRequests: {cpu: number; memory: number}
}

export const DEFAULT_AUTOSCALER_POLICY: AutoscalerPolicy = {
  periodMs: 15_000,
  tolerance: 0.1,
  scaleDownStabilizationMs: 300_000,
  scaleUpLimitPods: 4,
  scaleUpLimitPercent: 100,
  defaultCpuTarget: 80,
  cpuInitializationMs: 300_000,
  defaultRequests: {cpu: 0.1, memory: 256 * 1024 * 1024},
}

export interface MetricInput {
  name: 'cpu' | 'memory'
  /** Mean utilization of the ready replicas, in percent of their request. */
  utilization: number
  /** Target utilization, percent. */
  target: number
}

export interface Recommendation {
  at: number
  replicas: number
}

export interface ScaleDecision {
  desired: number
  /** The unclamped recommendation, and why it was limited. */
  raw: number
  reason: string
  /** What held the count away from the recommendation (HPA's ScalingLimited and AbleToScale). */
  limitedBy?: 'stabilization' | 'rate' | 'max' | 'min'
}

export function recommend(
  current: number,
  metrics: readonly MetricInput[],
  tolerance: number,
): {replicas: number; metric?: MetricInput} {
  let best = current
  let which: MetricInput | undefined
  for (const m of metrics) {
    const ratio = m.utilization / m.target
    if (Math.abs(ratio - 1) <= tolerance) continue
    const replicas = Math.ceil(current * ratio)
    if (which === undefined || replicas > best) {
      best = replicas
      which = m
    }
  }
  return {replicas: which ? best : current, metric: which}
}

/**
 * The replica count for the next period. `history` holds earlier recommendations (newest
 * last); the caller appends the returned raw recommendation.
 */
export function decideScale(
  input: {
    current: number
    min: number
    max: number
    metrics: readonly MetricInput[]
    history: readonly Recommendation[]
    now: number
  },
  policy: AutoscalerPolicy,
): ScaleDecision {
  const {current, min, max, now} = input
  const {replicas: raw, metric} = recommend(current, input.metrics, policy.tolerance)
  let desired = raw
  let limitedBy: ScaleDecision['limitedBy']
  const why: string[] = []
  if (metric) why.push(`${metric.name} ${Math.round(metric.utilization)} % of request, target ${metric.target} %`)
  else if (input.metrics.length > 0) why.push(`within ${Math.round(policy.tolerance * 100)} % of the target`)
  if (desired < current) {
    // Scale down only to the highest recommendation of the stabilization window.
    const window = input.history.filter((h) => now - h.at <= policy.scaleDownStabilizationMs).map((h) => h.replicas)
    const stable = Math.max(desired, ...window)
    if (stable > desired) {
      why.push(
        `held at ${Math.min(stable, current)} by the ${policy.scaleDownStabilizationMs / 1000} s scale-down window`,
      )
      limitedBy = 'stabilization'
    }
    desired = Math.min(stable, current)
  }
  if (desired > current) {
    const limit = Math.max(
      current + policy.scaleUpLimitPods,
      Math.ceil(current * (1 + policy.scaleUpLimitPercent / 100)),
    )
    // Name the constraint that binds: the rate limit only when maxReplicas is not lower.
    if (desired > limit && limit < max) {
      why.push(`limited to +${limit - current} per period`)
      desired = limit
      limitedBy = 'rate'
    }
  }
  if (desired > max) {
    why.push(`capped at maxReplicas ${max}`)
    desired = max
    limitedBy = 'max'
  }
  if (desired < min) {
    why.push(`raised to minReplicas ${min}`)
    desired = min
    limitedBy = 'min'
  }
  return {desired, raw, reason: why.join('; '), ...(limitedBy ? {limitedBy} : {})}
}
