// The wire contract shared by the client and the server: plain data shapes, no I/O.

import type {Json, ResourceEvent, ResourceStatus} from '../resources/stored.js'

export type {Json, ResourceEvent, ResourceStatus} from '../resources/stored.js'

/** Stable error codes (CamelCase), one per kind of failure; the HTTP status follows from it. */
export const ERROR_STATUS = {
  BadRequest: 400, // malformed JSON, a bad query parameter
  Unauthorized: 401, // no token, or a token that is not valid
  Forbidden: 403, // a valid token without the permission
  NotFound: 404,
  Conflict: 409, // stale resourceVersion, or a resource that others depend on
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  Invalid: 422, // a manifest that fails validation (details carry field paths)
  Internal: 500,
  InsufficientStorage: 507, // the store cannot write (disk full); reads still work
  Unavailable: 503,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

export interface ErrorDetail {
  /** Field path as segments: ['worker', 'resources', 'limits', 'memory']. */
  path?: (string | number)[]
  /** Field path as Kubernetes prints it: worker.resources.limits.memory. */
  field?: string
  code: string
  message: string
}

/** Every error response has this shape; never a stack trace. */
export interface ErrorBody {
  code: ErrorCode
  message: string
  details: ErrorDetail[]
}

interface ResourceMetadata {
  /** `type:version:name[:workspace]`, the --id form. */
  id: string
  uid: string
  owner: string
  workspace?: string
  /** Changes on every write (spec or status); compare-and-swap token. */
  resourceVersion: string
  /** Changes only when the spec (manifest) changes. */
  generation: number
  createdAt: string
  updatedAt: string
}

/** A stored resource: the manifest as applied (defaults filled), server metadata, observed status. */
export interface ResourceObject {
  manifest: Json
  metadata: ResourceMetadata
  status: ResourceStatus
}

export interface ApplyRequest {
  manifest: Json
  /** Target workspace for workspace-level types (a manifest's own `workspace:` must agree). */
  workspace?: string
  /** Apply only if the stored resource is still at this resourceVersion ("0": only if it does not exist). */
  resourceVersion?: string
  /** Validate and compute the diff without storing. */
  dryRun?: boolean
}

type ApplyResult = 'created' | 'updated' | 'unchanged'

export interface DiffEntry {
  op: 'add' | 'remove' | 'change'
  path: string
  from?: unknown
  to?: unknown
}

export interface ApplyResponse {
  result: ApplyResult
  dryRun: boolean
  resource: ResourceObject
  diff: DiffEntry[]
}

/** Query of GET /api/v1/resources. */
export interface ListQuery {
  type?: string
  workspace?: string
  name?: string
  /** Only this owner (default: the caller). */
  owner?: string
  /** Every owner. */
  all?: boolean
  limit?: number
  /** Token from the previous page. */
  continue?: string
}

export interface ListResponse {
  items: ResourceObject[]
  /** Pass back as `continue` for the next page; absent on the last page. */
  continue?: string
}

export interface DeleteResponse {
  deleted: ResourceObject
  /** What --force skipped (dependants that still reference the resource). */
  skipped: string[]
  /** With waitSeconds, for a worker: whether its replicas had all stopped when the answer left. */
  replicasStopped?: boolean
}

/** What `scale`, `stop`, `start` and `restart` do to a worker without a new manifest. */
export const WORKER_ACTIONS = ['scale', 'stop', 'start', 'restart'] as const
export type WorkerAction = (typeof WORKER_ACTIONS)[number]

export interface WorkerActionResponse {
  action: WorkerAction
  /** What changed, in a few words (`replicas 1 → 3`, `stopped`, `already stopped`). */
  result: string
  /** False when the worker already was as asked. */
  changed: boolean
  resource: ResourceObject
}

interface RevisionView {
  /** 1, 2, …; a rollback makes the revision it returns to the newest. */
  revision: number
  /** The worker's generation when this revision was last written. */
  generation: number
  createdAt: string
  /** What made it: `create by alice`, `apply by alice`, `rollback to revision 2 by bob`. */
  cause: string
  /** The revision in force. */
  current: boolean
  /** Its manifest, credentials masked. */
  manifest: Json
}

export interface RevisionsResponse {
  /** Oldest first; the last is the one in force. */
  items: RevisionView[]
}

export interface UndoResponse {
  /** What happened, in a few words. */
  result: string
  /** False when the revision asked for is already in force. */
  changed: boolean
  /** The revision in force now. */
  revision: number
  resource: ResourceObject
}

/** The query of GET …/logs (kubectl's names); every field may be left out. */
export interface LogsQuery {
  /** Lines from the end, per replica (300 when left out; negative: all). */
  tailLines?: number
  replica?: number
  /** The previous run of the replica(s). */
  previous?: boolean
  follow?: boolean
  /** Each line prefixed with the RFC 3339 time it was written. */
  timestamps?: boolean
  sinceSeconds?: number
  sinceTime?: string
  /** Lines of earlier revisions too. */
  allRevisions?: boolean
}

export interface EventsResponse {
  items: ResourceEvent[]
}

/** A worker's samples over the last hour (GET …/history), for the Operations page's charts. */
export interface WorkerHistoryView {
  /** Requests and limits per replica: CPU in cores, memory in bytes (absent when unset). */
  requests: {cpu?: number; memory?: number}
  limits: {cpu?: number; memory?: number}
  points: {
    /** ms since the epoch. */
    t: number
    running: number
    ready: number
    desired?: number
    /** The autoscaler's latest recommendation (before its limits and scale-down window). */
    recommended?: number
    /** Per replica: CPU in cores, memory in bytes, when measured. */
    usage: {replica: string; cpu?: number; memory?: number}[]
  }[]
}

/** A control plane sharing the store (GET /api/v1/control-planes, `drover server status`). */
interface ControlPlaneInfo {
  id: string
  host: string
  url: string
  pid: number
  version: string
  startedAt: string
  /** When it last renewed (or sought) the lease: the database's time. */
  lastSeen: string
  /** It holds the scheduler's lease. */
  leader: boolean
  /** The control plane that answered. */
  self: boolean
}

export interface ControlPlanesStatus {
  /** sqlite (one control plane) or postgres. */
  store: string
  highlyAvailable: boolean
  controlPlanes: ControlPlaneInfo[]
  /** The scheduler's lease: who holds it, its epoch, since when (database time), how long it has left. */
  lease: {holder?: string; epoch: number; since?: string; remainingMs?: number}
}

export interface WhoAmI {
  user: string
  admin: boolean
  grants: {workspace: string; access: 'read' | 'write'}[]
}

export interface CreateUserRequest {
  name: string
  admin?: boolean
  grants?: {workspace: string; access: 'read' | 'write'}[]
  /** Replace the permissions of an existing user (its keys stay); without it, an existing name is refused. */
  update?: boolean
}

export interface CreateUserResponse {
  user: WhoAmI
  /** Shown once; only its hash is stored. Absent on an update. */
  apiKey?: string
  /** With update: what changed (`admin: false → true`, `grant ops:write added`). */
  changes?: string[]
}

interface UserView extends WhoAmI {
  /** How many API keys the user holds. */
  keys: number
}

export interface UsersResponse {
  items: UserView[]
}

export interface RotateKeyResponse {
  user: string
  /** Shown once. Every other key of the user stopped working when this answer was sent. */
  apiKey: string
  revoked: number
}

export interface ReplicaView {
  id: string
  /** `<worker>-<revision>-<index>`, as logs prefix it. */
  name: string
  index: number
  revision: string
  phase: string
  pid?: number
  ready: boolean
  restarts: number
  crashLooping: boolean
  lastExit?: {code: number | null; signal: string | null; reason: string; at: string}
  startedAt?: string
  nextStartAt?: string
  message?: string
  /** The node a pod runs on (Kubernetes dataplanes). */
  node?: string
  cpuCores?: number
  memoryBytes?: number
}

export interface RuntimeView {
  id: string
  generation: number
  status: ResourceStatus
  revision?: string
  limits: {memory: string; cpu: string; detail: string}
  /** Why replicas have no CPU and memory figures (a cluster without metrics-server). */
  usageUnavailable?: string
  replicas: ReplicaView[]
}
