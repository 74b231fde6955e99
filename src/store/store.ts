// The persistence port. The server and the scheduler get a ResourceStore as a parameter; only
// server/main.ts names an adapter (sqlite/ today, postgres/ later). Every adapter passes the
// conformance suite in test/integration/store/conformance.ts.
import {createHash} from 'node:crypto'
import type {Json, ResourceEvent, ResourceStatus} from '../resources/stored.js'
import {jsonEqual} from '../lib/canonical-json.js'

export interface ResourceKey {
  /** '' for instance-level types (stacks). */
  workspace: string
  type: string
  name: string
}

/** Encrypted data kept beside the manifest (secret values); opaque to the store. */
export interface Sealed {
  ciphertext: string
  /** A keyed digest of the plaintext, so that "unchanged" can be decided without decrypting. */
  digest: string
}

export interface StoredRecord {
  key: ResourceKey
  version: string
  owner: string
  uid: string
  manifest: Json
  sealed?: Sealed
  status: ResourceStatus
  generation: number
  resourceVersion: number
  createdAt: string
  updatedAt: string
}

export interface SpecWrite {
  key: ResourceKey
  version: string
  owner: string
  manifest: Json
  sealed?: Sealed
}

export interface NewEvent {
  type: ResourceEvent['type']
  reason: string
  message: string
}

export interface PutSpecOptions {
  /** Write only if the stored resourceVersion is this one; 0 means "only if it does not exist". */
  ifResourceVersion?: number
  /** Status of a newly created resource. */
  initialStatus: ResourceStatus
  /** Recorded in the same transaction when the spec is created or changed. */
  event?: (result: 'created' | 'updated') => NewEvent
  /**
   * Keep the spec in the resource's rollout history when it is created or changed (workers).
   * `template` identifies what a rollout rolls out (the manifest but its replica count): a
   * spec whose template is already in the history moves that revision to the newest number,
   * as a Kubernetes Deployment renumbers the ReplicaSet it rolls back to.
   */
  revision?: {template: string; cause: string; keep: number}
}

/** A kept spec of a resource's rollout history. */
export interface RevisionRecord {
  /** 1, 2, …: the newest is the one in force. */
  revision: number
  template: string
  generation: number
  version: string
  manifest: Json
  sealed?: Sealed
  cause: string
  createdAt: string
}

export interface PutSpecResult {
  result: 'created' | 'updated' | 'unchanged'
  record: StoredRecord
  previous?: StoredRecord
}

export interface ListFilter {
  type?: string
  workspace?: string
  name?: string
  owner?: string
  limit: number
  /** Exclusive: list keys after this one (ordered by workspace, type, name). */
  after?: ResourceKey
}

/** Every record matching a filter, read page by page (a store's list is bounded by `limit`). */
export async function listAll(
  store: Pick<ResourceStore, 'list'>,
  filter: Omit<ListFilter, 'limit' | 'after'>,
  pageSize = 500,
): Promise<StoredRecord[]> {
  const out: StoredRecord[] = []
  let after: ResourceKey | undefined
  for (;;) {
    const page = await store.list({...filter, limit: pageSize, ...(after ? {after} : {})})
    out.push(...page)
    if (page.length < pageSize) return out
    after = page.at(-1)!.key
  }
}

export interface User {
  name: string
  admin: boolean
  grants: {workspace: string; access: 'read' | 'write'}[]
}

export interface ApiKeyRecord {
  id: string
  user: string
  name: string
  /** SHA-256 of the key's secret part. */
  hash: Buffer
  createdAt: string
}

/** The store cannot write (disk full, read-only or failing disk): reads still work. */
export class StoreUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`the store cannot write: ${reason}`)
    this.name = 'StoreUnavailableError'
  }
}

/** The reason when `error` says the storage under the store failed, else undefined. */
export function storageFailure(error: unknown): string | undefined {
  if (error instanceof StoreUnavailableError) return error.reason
  const e = error as {code?: string; errcode?: number; message?: string}
  const text = `${e?.code ?? ''} ${e?.message ?? ''}`
  if (e?.code === 'ENOSPC' || /SQLITE_FULL|database or disk is full|No space left/i.test(text) || e?.errcode === 13)
    return 'the disk is full'
  if (e?.code === 'EROFS' || /SQLITE_READONLY|readonly database/i.test(text) || e?.errcode === 8)
    return 'the database is read-only'
  if (e?.code === 'EIO' || /SQLITE_IOERR|disk I\/O error/i.test(text) || e?.errcode === 10) return 'a disk I/O error'
  return undefined
}

/**
 * A fencing token: the scheduler's writes carry the epoch of the lease it leads under, and a
 * store shared by several control planes refuses them (FencedError) once another epoch leads.
 * A store with one control plane (SQLite, whose data folder one process claims) has nothing to fence.
 */
export interface Fence {
  epoch?: number
}

export interface WriteOptions extends Fence {
  /** Write only if the stored resourceVersion is this one. */
  ifResourceVersion?: number
}

/** A scheduler write refused: a newer leader holds the lease, or this control plane no longer leads. */
export class FencedError extends Error {
  constructor(epoch?: number, current?: number) {
    super(
      epoch === undefined
        ? 'fenced: this control plane does not lead the scheduler'
        : `fenced: this control plane led under epoch ${epoch}, and epoch ${current} leads now`,
    )
    this.name = 'FencedError'
  }
}

/**
 * The store as the scheduler writes it: every write carries the epoch it leads under, and none
 * is sent while it does not lead. The rest is the store itself.
 */
export function fencedStore<S extends ResourceStore>(store: S, epoch: () => number | undefined): S {
  const fence = (): Fence => {
    const e = epoch()
    if (e === undefined) throw new FencedError()
    return {epoch: e}
  }
  const putStatus = async (key: ResourceKey, status: ResourceStatus, options: WriteOptions = {}) =>
    store.putStatus(key, status, {...options, ...fence()})
  const addEvent = async (key: ResourceKey, event: NewEvent) => store.addEvent(key, event, fence())
  return new Proxy(store, {
    get(target, property) {
      if (property === 'putStatus') return putStatus
      if (property === 'addEvent') return addEvent
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}

/** A control plane sharing a store (server status): what it says of itself at each lease renewal. */
export interface ControlPlaneRecord {
  id: string
  host: string
  url: string
  pid: number
  version: string
  startedAt: string
  /** The database's time of its last renewal. */
  lastSeen: string
}

/** Who leads the scheduler: the lease row. */
export interface LeaseState {
  holder?: string
  epoch: number
  /** When the holder took it (database time). */
  since?: string
  /** Milliseconds left before it expires (negative: expired), by the database's clock. */
  remainingMs?: number
}

/**
 * The scheduler's lease, kept by a store several control planes share: the holder renews it
 * before it expires (by the database's clock), or another takes it with the next epoch.
 */
export interface LeaseStore {
  /** Takes the lease if nobody holds it or it expired: the new epoch, or undefined. */
  acquireLease(holder: string, ttlMs: number): Promise<number | undefined>
  /** Extends the lease held under `epoch`: false when it expired or another took it. */
  renewLease(holder: string, epoch: number, ttlMs: number): Promise<boolean>
  /** Gives it up at once (a graceful stop), so that another leads without waiting. */
  releaseLease(holder: string, epoch: number): Promise<void>
  lease(): Promise<LeaseState>
  /** Says this control plane is alive (at each renewal); those unseen for `forgetMs` are dropped. */
  heartbeat(member: Omit<ControlPlaneRecord, 'lastSeen'>, forgetMs: number): Promise<void>
  leaveMembers(id: string): Promise<void>
  members(): Promise<ControlPlaneRecord[]>
}

export class StoreConflictError extends Error {
  constructor(
    message: string,
    readonly current?: StoredRecord,
  ) {
    super(message)
    this.name = 'StoreConflictError'
  }
}

export class StoreNotFoundError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StoreNotFoundError'
  }
}

export interface ResourceStore {
  get(key: ResourceKey): Promise<StoredRecord | undefined>
  list(filter: ListFilter): Promise<StoredRecord[]>
  count(filter?: {type?: string}): Promise<number>
  /**
   * Creates or replaces the spec. Unchanged when the manifest (compared key-order-insensitively),
   * the sealed digest, the version and the owner are all the same: nothing is written then.
   * Generation goes up only when the spec changes; resourceVersion on every write.
   */
  putSpec(write: SpecWrite, options: PutSpecOptions): Promise<PutSpecResult>
  /** Replaces the status only; the spec and generation stay. */
  putStatus(key: ResourceKey, status: ResourceStatus, options?: WriteOptions): Promise<StoredRecord>
  delete(key: ResourceKey, options?: {ifResourceVersion?: number}): Promise<StoredRecord | undefined>
  addEvent(key: ResourceKey, event: NewEvent, options?: Fence): Promise<void>
  /** Newest last. */
  events(key: ResourceKey, limit?: number): Promise<ResourceEvent[]>
  /** The rollout history kept by putSpec's `revision` option, oldest first; deleted with the resource. */
  revisions(key: ResourceKey): Promise<RevisionRecord[]>

  getUser(name: string): Promise<User | undefined>
  /** Every user, by name, with how many API keys it holds. */
  listUsers(): Promise<(User & {keys: number})[]>
  putUser(user: User): Promise<void>
  /** Deletes the user and its keys; false when there was none. */
  deleteUser(name: string): Promise<boolean>
  /** Deletes the user's keys but `keep`; how many went. */
  deleteApiKeys(user: string, keep?: string): Promise<number>
  addApiKey(key: ApiKeyRecord): Promise<void>
  findApiKey(id: string): Promise<ApiKeyRecord | undefined>
  /** Every API key (hashes only), by id: what `server migrate` copies. */
  listApiKeys(): Promise<ApiKeyRecord[]>
  countUsers(): Promise<number>

  /** Runs the store's own consistency check ("ok" when sound). */
  check(): Promise<string>
  close(): Promise<void>
}

/** A resource with everything kept of it: what `server migrate` copies from one store to another. */
export interface ResourceCopy {
  record: StoredRecord
  /** Oldest first, as events() gives them. */
  events: ResourceEvent[]
  revisions: RevisionRecord[]
}

/**
 * A store that takes copies of another's data as they are (`drover server migrate`): uids,
 * times, generations, statuses, sealed secrets (still encrypted: the key goes with them),
 * events and rollout history. A copy equal to what is there changes nothing, so that a migration
 * run again is a no-op; one that differs replaces it, under a new resourceVersion of this store.
 */
export interface RestorableStore {
  restoreResource(copy: ResourceCopy): Promise<'created' | 'updated' | 'unchanged'>
  restoreUser(user: User, keys: ApiKeyRecord[]): Promise<'created' | 'updated' | 'unchanged'>
}

/** Whether `write` changes the spec of `current` (manifest compared key-order-insensitively, version, sealed digest). */
export function specChanged(current: StoredRecord | undefined, write: SpecWrite): boolean {
  return (
    !current ||
    current.version !== write.version ||
    (current.sealed?.digest ?? null) !== (write.sealed?.digest ?? null) ||
    !jsonEqual(current.manifest, write.manifest)
  )
}

/** What putSpec would report for `write`: every adapter decides with this. */
export function applyOutcome(
  current: StoredRecord | undefined,
  write: SpecWrite,
  changed = specChanged(current, write),
): 'created' | 'updated' | 'unchanged' {
  if (!current) return 'created'
  return changed || current.owner !== write.owner ? 'updated' : 'unchanged'
}

/** The conflict when `current` is not at the `expected` resourceVersion (0: must not exist). */
export function staleVersion(
  current: StoredRecord | undefined,
  expected: number | undefined,
  key: ResourceKey,
): StoreConflictError | undefined {
  if (expected === undefined) return undefined
  const have = current?.resourceVersion ?? 0
  if (have === expected) return undefined
  const what = `${key.type} ${key.workspace ? `${key.workspace}/` : ''}${key.name}`
  return new StoreConflictError(
    expected === 0
      ? `${what} already exists`
      : !current
        ? `${what} does not exist`
        : // A write of the same batch, or of one under way, whose version is not known yet
          // (the PostgreSQL store's provisional versions are negative): no number to name.
          have < 0
          ? `${what} has changed since resourceVersion ${expected}`
          : `${what} is at resourceVersion ${have}, not ${expected}`,
    current,
  )
}

/**
 * Whether two event messages say the same thing: the same words, or, for a message about a
 * subject (`replica-name: exited: code 1; restarting in 2s`), the same subject and the same
 * words but for numbers (pids, exit codes, delays, counts). A message without a subject (an
 * apply and its generation) is counted only when repeated exactly.
 */
/** The `subject: ` prefix a similar message must share, or undefined when only an equal one is similar. */
export function similarSubject(message: string): string | undefined {
  const at = message.indexOf(': ')
  return at > 0 ? message.slice(0, at + 2) : undefined
}

export function similarMessages(a: string, b: string): boolean {
  if (a === b) return true
  const split = (m: string) => {
    const at = m.indexOf(': ')
    return at < 0 ? ['', m] : [m.slice(0, at), m.slice(at + 2)]
  }
  const [subjectA, restA] = split(a)
  const [subjectB, restB] = split(b)
  if (!subjectA) return false
  return subjectA === subjectB && numbersOut(restA!) === numbersOut(restB!)
}

const numbersOut = (m: string) => m.replace(/[0-9]+(\.[0-9]+)?/g, '#')

/**
 * A key similar messages share, and no two others: similarMessages(a, b) exactly when
 * similarityKey(a) === similarityKey(b) (the message, or its subject and its shape with the
 * numbers out; hashed to fit an index, not for secrecy). The PostgreSQL store finds a repeated
 * event by it; its migration 4 says the same in SQL for the events stored before.
 */
export function similarityKey(message: string): string {
  const at = message.indexOf(': ')
  const key = at > 0 ? `s${message.slice(0, at + 2)}${numbersOut(message.slice(at + 2))}` : `m${message}`
  return createHash('md5').update(key).digest('hex')
}
