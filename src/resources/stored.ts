// What the control plane keeps beside a manifest: observed status (conditions carry the state,
// phase is derived from them) and events. Shared by the store, the server, the scheduler and
// (through api/types.ts) the wire contract.

export type Json = Record<string, unknown>

export interface Condition {
  type: string
  status: 'True' | 'False' | 'Unknown'
  reason: string
  message: string
  /** The generation of the spec this condition was computed from (Kubernetes metav1.Condition). */
  observedGeneration?: number
  lastTransitionTime: string
}

export interface ResourceStatus {
  /** Derived from the conditions; `Pending` until the scheduler has seen the resource. */
  phase: string
  observedGeneration?: number
  replicas?: number
  readyReplicas?: number
  /** Replicas the autoscaler or the spec asks for right now. */
  desiredReplicas?: number
  conditions?: Condition[]
  lastError?: string
  [key: string]: unknown
}

export interface ResourceEvent {
  /** When it last happened. */
  time: string
  type: 'Normal' | 'Warning'
  reason: string
  /** The latest message of its kind. */
  message: string
  /** How many times it happened, when more than once (similar events counted, as Kubernetes does). */
  count?: number
  /** When it first happened, when more than once. */
  firstTime?: string
}
