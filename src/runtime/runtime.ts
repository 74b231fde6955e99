// The workload runtime port: where replicas actually run. The scheduler hands it the desired
// state of a worker (a revision and a replica count) and reads back what runs; the runtime
// keeps replicas running (restarts with back-off), rolls revisions, and reports events. The
// local runtime (runtime/local) runs processes; a Kubernetes runtime would map the same calls
// to a Deployment.

export interface WorkloadKey {
  workspace: string
  name: string
}

export const workloadId = (key: WorkloadKey) => `${key.workspace}/${key.name}`

export interface ProcessSpec {
  /** Program and arguments as templates ({{.StackSpec.command}}, {{.ConfigDir}}/x); see runtime/local/templates.ts. */
  command: string[]
  /**
   * Template values (StackSpec, NodeBinary, …). The runtime adds ConfigDir, SecretDir, TempDir,
   * ReplicaDir and Replica; string values may refer to those ({{.ConfigDir}}/main.cjs).
   */
  context: Record<string, unknown>
  /** Working directory; relative paths are relative to the replica folder. */
  workingDir?: string
  /** Environment besides what the runtime sets itself. */
  env: Record<string, string>
  /** Files of the config folder (DROVER_CONFIG_DIR), by name. */
  configFiles: Record<string, string>
  /** Files of the secret folder (DROVER_SECRET_DIR), by relative path; written 0600. */
  secretFiles: Record<string, string>
  /**
   * Named folders shared across replicas and restarts (volumes), by path in the replica folder;
   * `subPath` mounts a folder inside the volume instead of its root.
   */
  volumes: {name: string; path: string; readOnly: boolean; subPath?: string}[]
  /** A volume that holds each replica's temporary folder (DROVER_TEMP_DIR), emptied when the replica is replaced. */
  tempVolume?: string
  resources: {
    requests: {cpu?: number; memory?: number}
    limits: {cpu?: number; memory?: number}
  }
  logLevel: string
}

export interface DesiredWorkload {
  key: WorkloadKey
  /** The worker's uid: replicas of a deleted-and-recreated worker are not adopted by the new one. */
  uid: string
  /** `worker:v1beta:name:workspace`. */
  resourceId: string
  /** Changes when anything that affects the processes changes (spec, stack, secret values). */
  revision: string
  replicas: number
  spec: ProcessSpec
}

export type ReplicaPhase = 'Starting' | 'Running' | 'Waiting' | 'Stopping' | 'Failed'

export interface ExitInfo {
  code: number | null
  signal: string | null
  /** Completed (0), Error (other codes), OOMKilled, Killed (a signal), Unknown (exited while the control plane was down). */
  reason: string
  at: string
}

export interface ReplicaState {
  /** `<revision>-<index>`. */
  id: string
  index: number
  revision: string
  phase: ReplicaPhase
  /** The program's pid (not its wrapper's). */
  pid?: number
  restarts: number
  lastExit?: ExitInfo
  startedAt?: string
  /** Running for at least minReady. */
  ready: boolean
  /** When it became ready (its start plus minReady). */
  readySince?: string
  crashLooping: boolean
  /** Next start, while Waiting. */
  nextStartAt?: string
  /** Last message of the runtime about this replica (why it failed to start). */
  message?: string
  /** The node it runs on (a Kubernetes pod's spec.nodeName); absent on this machine. */
  node?: string
  usage?: {
    cpuCores?: number
    /** Start of the window cpuCores was measured over (the sample before). */
    cpuSince?: string
    memoryBytes?: number
  }
}

export interface LimitsSupport {
  memory: 'cgroup-v2' | 'cgroup-v1' | 'watchdog'
  cpu: 'cgroup-v2' | 'cgroup-v1' | 'none'
  /** Whether a readOnly volume is read-only to the program (a mount namespace of its own). */
  readOnlyVolumes: boolean
  detail: string
}

export interface ObservedWorkload {
  key: WorkloadKey
  revision?: string
  replicas: ReplicaState[]
  /** New-revision replicas that crash-loop stopped the rollout; old ones keep running. */
  rolloutBlocked: boolean
  /** The count the runtime itself keeps (a Deployment's replicas, which an HPA sets); absent locally. */
  desiredReplicas?: number
  /** What the runtime's own autoscaler says (a HorizontalPodAutoscaler's conditions); absent locally. */
  scalingConditions?: {type: string; status: 'True' | 'False' | 'Unknown'; reason: string; message: string}[]
  limits: LimitsSupport
}

export interface RuntimeEvent {
  key: WorkloadKey
  type: 'Normal' | 'Warning'
  reason: string
  message: string
}

export interface LogOptions {
  /** Per replica, from the end. */
  tailLines: number
  replica?: number
  previous: boolean
  follow: boolean
  /** Only lines stamped at or after this time (RFC 3339, UTC, milliseconds). */
  since?: string
  /** Replicas of every revision the runtime still has, not only the current one's. */
  allRevisions?: boolean
}

export interface LogLine {
  replica: string
  line: string
  /** When the line was written (RFC 3339, UTC, milliseconds); absent for lines stored without. */
  time?: string
}

export interface WorkloadRuntime {
  /** Finds replicas left running by an earlier control plane and takes them over. */
  adopt(): Promise<WorkloadKey[]>
  /** Converges the worker's replicas toward `desired`; returns what runs now. */
  sync(desired: DesiredWorkload): Promise<ObservedWorkload>
  /** Stops every replica of the worker (SIGTERM, grace period, SIGKILL) and removes its folders. */
  remove(key: WorkloadKey): Promise<void>
  observe(key: WorkloadKey): ObservedWorkload | undefined
  /** Workers it runs replicas for. */
  keys(): WorkloadKey[]
  /** Samples CPU and memory of every replica (cores and bytes). */
  sample(): Promise<void>
  logs(key: WorkloadKey, options: LogOptions, onLine: (line: LogLine) => void, signal?: AbortSignal): Promise<void>
  limits(): LimitsSupport
  /** Stops supervising (the processes keep running, to be adopted by the next control plane). */
  close(): Promise<void>
}

/**
 * A Kubernetes cluster that runs workers (a dataplane of the server's configuration): the objects
 * of a worker are applied there, and what runs is read back in the same terms as the local
 * runtime's. Implemented by runtime/kubernetes/dataplane.ts.
 */
export interface ClusterDataplane {
  readonly name: string
  /** Why the cluster does not answer, or undefined when it does. */
  unreachable(): Promise<string | undefined>
  /**
   * Applies the worker's objects (server-side apply; unchanged ones are not sent), removes those
   * of the worker it no longer renders, and returns what runs.
   */
  sync(
    key: WorkloadKey,
    objects: readonly {kind: string; metadata?: {name?: string; namespace?: string}}[],
  ): Promise<ObservedWorkload>
  /** Log lines of the worker's pods (pods/log), as the local runtime's logs(): same options, same lines. */
  logs(key: WorkloadKey, options: LogOptions, onLine: (line: LogLine) => void, signal?: AbortSignal): Promise<void>
  /** Deletes every object of the worker (foreground propagation: pods go first). */
  remove(key: WorkloadKey): Promise<void>
  /** What runs, as last read; undefined for a worker it never synced. */
  observe(key: WorkloadKey): ObservedWorkload | undefined
  /**
   * What runs, with each replica's CPU and memory (metrics.k8s.io); `usageUnavailable` says why there is
   * none when the cluster serves no metrics (no metrics-server).
   */
  sample(key: WorkloadKey): Promise<{observed?: ObservedWorkload; usageUnavailable?: string}>
  /** Workers it has synced since the control plane started, and those it finds in the cluster. */
  keys(): WorkloadKey[]
  /** Starts watching the cluster (before, what runs is read at each sync). */
  start(): void
  /** Stops watching the cluster (what runs there keeps running). */
  close(): Promise<void>
}
