// The resources API behind the routes: validation with the shared model, cross-resource checks,
// permissions, owners, secret sealing, diffs. Routes stay thin; the store stays generic.
import type {
  ApplyRequest,
  ApplyResponse,
  DeleteResponse,
  ListQuery,
  DiffEntry,
  ErrorDetail,
  EventsResponse,
  Json,
  ListResponse,
  ReplicaView,
  ResourceObject,
  ResourceStatus,
  RevisionsResponse,
  RuntimeView,
  UndoResponse,
  WorkerAction,
  WorkerActionResponse,
  WorkerHistoryView,
} from '../api/types.js'
import {
  type ClusterDataplane,
  type LogLine,
  type LogOptions,
  type ObservedWorkload,
  type WorkloadRuntime,
  workloadId,
} from '../runtime/runtime.js'
import {diffJson} from '../lib/diff.js'
import {
  computeSpec,
  computeStatusOf,
  dataplaneOf,
  effectiveResources,
  isKubernetesCompute,
} from '../resources/compute.js'
import {parseCpu, parseMemory} from '../resources/quantity.js'
import {formatRef} from '../resources/identifiers.js'
import {imageOf} from '../resources/kubernetes/render.js'
import {formatPath, type Problem, problemMessage} from '../resources/problems.js'
import {DEFAULT_WORKSPACE, findKind} from '../resources/registry.js'
import {type StackIdentity, formatStackRef, parseStackRef, resolveStack, stackIdentity} from '../resources/stack-ref.js'
import {joinSensitive, splitSensitive} from '../resources/sensitive.js'
import {type AjvError, isSensitivePath, maskSensitive, schemaProblems, validateManifest} from '../resources/validate.js'
import {Ajv, type ValidateFunction} from 'ajv'
import type {RegExpEngine} from 'ajv/dist/types/index.js'
import {RE2JS} from 're2js'
import {
  type ResourceKey,
  type ResourceStore,
  type SpecWrite,
  StoreConflictError,
  StoreNotFoundError,
  type StoredRecord,
  listAll,
  applyOutcome,
} from '../store/store.js'
import {authenticate, authorize, allowed, enforce, type Caller} from './auth.js'
import {ApiError} from './errors.js'
import {type Tenancy, actAs, grantWrite, readLogs, revealCredentials, useSecret, writeWorker} from './permissions.js'
import type {SecretCipher} from './secrets.js'
import {nameProblem} from '../resources/names.js'
import type {WorkerSpec} from '../resources/model/worker-v1beta.js'
import {autoscalingSpec, workerSpec} from '../resources/rules.js'
import type {CreateUserRequest, CreateUserResponse, RotateKeyResponse, UsersResponse} from '../api/types.js'
import {newApiKey} from './auth.js'
import {isObject} from '../lib/json.js'
import {canonicalJson, jsonEqual} from '../lib/canonical-json.js'
import {createHash} from 'node:crypto'

const MAX_PAGE = 1000

/** Revisions kept per worker: the one in force and 10 before it (a Deployment's revisionHistoryLimit). */
const REVISIONS_KEPT = 11

/**
 * What a rollout rolls out: the spec but its replica count (scale changes no revision, as
 * kubectl scale creates no ReplicaSet). Same template, same revision.
 */
function templateOf(write: Pick<SpecWrite, 'version' | 'manifest' | 'sealed'>): string {
  const worker = isObject(write.manifest.worker) ? write.manifest.worker : {}
  const {replicas: _, ...rest} = worker
  return createHash('sha256')
    .update(canonicalJson({version: write.version, manifest: {...write.manifest, worker: rest}}))
    .update(`\n${write.sealed?.digest ?? ''}`)
    .digest('hex')
    .slice(0, 16)
}

export interface ResourceRefQuery {
  type: string
  name: string
  workspace?: string
}

function detailOf(problem: Problem): ErrorDetail {
  return {
    path: problem.path,
    field: formatPath(problem.path) || undefined,
    code: problem.code,
    message: problemMessage(problem, {redact: isSensitivePath(problem.path)}),
  }
}

const HA_LOCAL =
  'this control plane runs highly available (--ha), where the local dataplane (processes of one control plane’s machine) cannot serve: use a compute of a Kubernetes dataplane'

function initialStatus(type: string, manifest: Json, dataplanes: ReadonlySet<string>): ResourceStatus {
  if (type === 'worker') return {phase: 'Pending', observedGeneration: 0, replicas: 0, readyReplicas: 0, conditions: []}
  return type === 'compute' ? computeStatusOf(manifest, dataplanes) : {phase: 'Active'}
}

/** The stack identities of stored Stack resources. */
function storedStack(record: StoredRecord): (StackIdentity & {record: StoredRecord}) | undefined {
  const identity = stackIdentity(record.manifest.stack)
  return identity && {...identity, record}
}

/** A stack's stackSpec schema as a mapping, from text or a mapping; throws when it is neither. */
function stackSpecSchema(section: Json): Json | undefined {
  const block = isObject(section.stackSpecValueSchema) ? section.stackSpecValueSchema : undefined
  if (!block || block.jsonSchema === undefined) return undefined
  const schema = typeof block.jsonSchema === 'string' ? (JSON.parse(block.jsonSchema) as unknown) : block.jsonSchema
  if (!isObject(schema)) throw new Error('the schema must be a JSON object')
  // Stack schemas name drafts 04 to 07; ajv reads their keywords alike, so the name goes.
  const {$schema: _ignored, ...rest} = schema
  return rest
}

/**
 * Stack schemas are written by admins but run on every worker apply: their patterns run on a
 * linear-time engine (RE2), so that no pattern (`^(a+)+$`) can block the control plane. RE2
 * has no lookaround or backreferences; a schema that uses them is refused when the stack is applied.
 */
const re2: RegExpEngine = Object.assign(
  (pattern: string, flags?: string) => {
    const re = RE2JS.compile(pattern, flags?.includes('i') ? RE2JS.CASE_INSENSITIVE : 0)
    return {test: (text: string) => re.matcher(text).find()}
  },
  {code: 'require("re2js").RE2JS'},
)

function stackSchemaAjv(): Ajv {
  return new Ajv({allErrors: true, strict: false, code: {regExp: re2}})
}

export class ResourceService {
  /** Compiled stackSpec schemas, by stack uid and resourceVersion. */
  private readonly stackValidators = new Map<string, ValidateFunction>()
  private readonly ajv = stackSchemaAjv()

  private stackValidator(record: StoredRecord): ValidateFunction | undefined {
    const key = `${record.uid}:${record.resourceVersion}`
    const cached = this.stackValidators.get(key)
    if (cached) return cached
    const schema = stackSpecSchema(isObject(record.manifest.stack) ? record.manifest.stack : {})
    if (!schema) return undefined
    const validate = this.ajv.compile(schema)
    if (this.stackValidators.size > 1000) this.stackValidators.clear()
    this.stackValidators.set(key, validate)
    return validate
  }

  private readonly tenancy: Tenancy
  private readonly maxReplicas: number
  private readonly localAdmin?: string
  private readonly dataplanes: ReadonlyMap<string, ClusterDataplane>
  private readonly dataplaneNames: ReadonlySet<string>
  private readonly highlyAvailable: boolean
  private readonly samples?: {series(id: string): Readonly<WorkerHistoryView['points']>}

  constructor(
    private readonly store: ResourceStore,
    private readonly cipher: SecretCipher,
    private readonly onChange: (key: ResourceKey, change: Change) => void = () => {},
    private readonly runtime?: WorkloadRuntime,
    options: ServiceOptions = {},
  ) {
    this.tenancy = options.tenancy ?? 'isolated'
    this.maxReplicas = options.maxReplicas ?? 1000
    this.localAdmin = options.localAdmin
    this.dataplanes = options.dataplanes ?? new Map()
    this.dataplaneNames = new Set(this.dataplanes.keys())
    this.highlyAvailable = options.highlyAvailable ?? false
    this.samples = options.history
  }

  /** A worker's replicas on a Kubernetes dataplane, when it runs on one. */
  private clusterObserved(key: {workspace: string; name: string}): ObservedWorkload | undefined {
    for (const dataplane of this.dataplanes.values()) {
      const observed = dataplane.observe(key)
      if (observed) return observed
    }
    return undefined
  }

  /** The Kubernetes dataplane a worker's compute names, if it names one. */
  private async dataplaneOfWorker(record: StoredRecord): Promise<string | undefined> {
    const compute = await this.store.get({
      type: 'compute',
      workspace: '',
      name: String(workerSpec(record.manifest).compute),
    })
    return compute && isKubernetesCompute(compute.manifest) ? dataplaneOf(compute.manifest) : undefined
  }

  // ---- helpers -----------------------------------------------------------------------------

  private keyOf(type: string, name: string, workspace: string | undefined): ResourceKey {
    const kind = findKind(type)
    if (!kind) throw new ApiError('NotFound', `unknown resource type ${JSON.stringify(type)}`)
    return {type, name, workspace: kind.scope === 'instance' ? '' : checkWorkspace(workspace ?? DEFAULT_WORKSPACE)}
  }

  /** Every record matching a filter, page by page. */
  all(filter: {type?: string; workspace?: string}): Promise<StoredRecord[]> {
    return listAll(this.store, filter)
  }

  /** The manifest with secret data back in place: decrypted for `reveal`, masked otherwise. */
  private fullManifest(record: StoredRecord, reveal: boolean): Json {
    if (!record.sealed) return record.manifest
    return joinSensitive(record.manifest, this.cipher.unseal(record.sealed) as Json, reveal)
  }

  toObject(record: StoredRecord, reveal = false): ResourceObject {
    const workspace = record.key.workspace || undefined
    return {
      manifest: this.fullManifest(record, reveal),
      metadata: {
        id: formatRef({type: record.key.type, version: record.version, name: record.key.name, workspace}),
        uid: record.uid,
        owner: record.owner,
        ...(workspace ? {workspace} : {}),
        resourceVersion: String(record.resourceVersion),
        generation: record.generation,
        createdAt: record.createdAt,
        updatedAt: record.updatedAt,
      },
      status: record.status,
    }
  }

  /** Checks against other resources: the stack exists, referenced secrets exist and may be read. */
  private async crossResourceProblems(caller: Caller, manifest: Json, workspace: string): Promise<ErrorDetail[]> {
    if (manifest.type === 'stack' && isObject(manifest.stack)) {
      try {
        const schema = stackSpecSchema(manifest.stack)
        if (schema) stackSchemaAjv().compile(schema)
      } catch (error) {
        return [
          detailOf({
            path: ['stack', 'stackSpecValueSchema', 'jsonSchema'],
            code: 'InvalidValue',
            detail: `must be a JSON Schema: ${(error as Error).message}`,
          }),
        ]
      }
      return []
    }
    // Highly available: every control plane must reach every worker, so workers run on Kubernetes.
    if (manifest.type === 'compute' && this.highlyAvailable && !isKubernetesCompute(manifest))
      return [
        detailOf({
          path: ['compute', 'dataplane'],
          code: 'InvalidValue',
          detail: `must name a Kubernetes dataplane: ${HA_LOCAL}`,
        }),
      ]
    if (manifest.type !== 'worker' || !isObject(manifest.worker)) return []
    const worker = manifest.worker
    const details: ErrorDetail[] = []
    const problem = (path: (string | number)[], message: string, code = 'NotFound') =>
      details.push({path, field: formatPath(path), code, message: `${formatPath(path)}: ${message}`})

    // A worker acts as another user only when its caller may: an admin, or that user itself.
    if (typeof worker.runAsUser === 'string') {
      const decision = actAs(caller, worker.runAsUser)
      if (!decision.ok) problem(['worker', 'runAsUser'], `Forbidden: ${decision.reason}`, 'Forbidden')
    }
    // Bounded work: a replica count is processes on this machine.
    const counts: [(string | number)[], unknown][] = [[['worker', 'replicas'], worker.replicas]]
    for (const key of ['autoscaling', 'autoScaling']) {
      const scaling = worker[key]
      if (isObject(scaling))
        counts.push(
          [['worker', key, 'maxReplicas'], scaling.maxReplicas],
          [['worker', key, 'minReplicas'], scaling.minReplicas],
        )
    }
    for (const [path, value] of counts) {
      if (typeof value === 'number' && value > this.maxReplicas) {
        problem(
          path,
          `Invalid value: ${value}: must be at most ${this.maxReplicas} (the control plane's maxReplicas setting)`,
          'InvalidValue',
        )
      }
    }
    if (typeof worker.runAsApiKey === 'string') {
      const owner = await authenticate(this.store, `Bearer ${worker.runAsApiKey}`).then(
        (c) => c.user.name,
        () => undefined,
      )
      if (owner === undefined)
        problem(['worker', 'runAsApiKey'], 'Invalid value: not a valid API key of this control plane', 'InvalidValue')
      else if (owner !== caller.user.name && !caller.user.admin)
        problem(
          ['worker', 'runAsApiKey'],
          `Forbidden: the key belongs to ${owner}, not to ${caller.user.name}`,
          'Forbidden',
        )
    }

    const ref = parseStackRef(String(worker.stack))
    const stacks = (await this.all({type: 'stack'})).map(storedStack).filter((s) => s !== undefined)
    const stack = resolveStack(ref, stacks)
    if (!stack) {
      const known = [...new Set(stacks.map((s) => formatStackRef(s)))].sort()
      problem(
        ['worker', 'stack'],
        `Not found: stack ${JSON.stringify(formatStackRef(ref))} is not registered; available: ${known.join(', ') || 'none'}`,
      )
    } else {
      // The stack's own schema for its stackSpec, with the same paths and wording as the manifest's.
      const validate = this.stackValidator(stack.record)
      const spec = worker.stackSpec ?? {}
      if (validate && !validate(spec)) {
        const found = schemaProblems((validate.errors ?? []) as AjvError[], spec, ['worker', 'stackSpec'])
        details.push(
          ...found.map((p) => ({
            ...detailOf(p),
            message: `${detailOf(p).message} (schema of stack ${formatStackRef(stack)})`,
          })),
        )
      }
    }

    // The compute exists; on a Kubernetes dataplane the stack must name a container image.
    const computeName = String(worker.compute)
    const compute = await this.store.get({type: 'compute', workspace: '', name: computeName})
    if (!compute) {
      const known = (await this.all({type: 'compute'})).map((c) => c.key.name).sort()
      problem(
        ['worker', 'compute'],
        `Not found: compute ${JSON.stringify(computeName)} does not exist; available: ${known.join(', ') || 'none'}`,
      )
    } else if (this.highlyAvailable && !isKubernetesCompute(compute.manifest)) {
      problem(
        ['worker', 'compute'],
        `Invalid value: compute ${computeName} runs workers on the local dataplane: ${HA_LOCAL}`,
        'InvalidValue',
      )
    } else if (stack && isKubernetesCompute(compute.manifest)) {
      const section = isObject(stack.record.manifest.stack) ? stack.record.manifest.stack : {}
      if (imageOf(section, isObject(worker.stackSpec) ? worker.stackSpec : undefined) === undefined)
        problem(
          isObject(section.image) || stack.name !== 'command' ? ['worker', 'stack'] : ['worker', 'stackSpec'],
          `Invalid value: stack ${formatStackRef(stack)} has no container image, which compute ${computeName} (dataplane ${dataplaneOf(compute.manifest)}) needs: give the stack's manifest stack.image${stack.name === 'command' ? ', or the worker stackSpec.image' : ''}`,
          'InvalidValue',
        )
    }

    const secretRefs: {path: (string | number)[]; name: string; workspace: string}[] = []
    if (Array.isArray(worker.secrets))
      for (const [i, name] of worker.secrets.entries())
        secretRefs.push({path: ['worker', 'secrets', i], name: String(name), workspace})
    if (Array.isArray(worker.dataosSecrets)) {
      worker.dataosSecrets.forEach((r, i) => {
        if (isObject(r))
          secretRefs.push({
            path: ['worker', 'dataosSecrets', i, 'name'],
            name: String(r.name),
            workspace: typeof r.workspace === 'string' ? r.workspace : workspace,
          })
      })
    }
    for (const s of secretRefs) {
      const bad = nameProblem(s.workspace)
      const decision = useSecret(caller, s.workspace)
      if (bad) {
        problem(s.path, `Invalid value: workspace ${JSON.stringify(s.workspace)} ${bad}`, 'InvalidValue')
      } else if (!decision.ok) {
        problem(s.path, `Forbidden: ${decision.reason}`, 'Forbidden')
      } else if (!(await this.store.get({type: 'secret', workspace: s.workspace, name: s.name}))) {
        problem(
          s.path,
          `Not found: secret ${JSON.stringify(s.name)} does not exist in workspace ${s.workspace}; apply it first`,
        )
      }
    }
    return details
  }

  /** Field-level changes from the stored manifest; none for a new resource. Credentials masked. */
  private diff(before: Json | undefined, after: Json): DiffEntry[] {
    if (!before) return []
    return diffJson(before, after).map((c) => ({
      op: c.op,
      path: formatPath(c.path),
      ...('from' in c ? {from: maskSensitive(c.from, c.path)} : {}),
      ...('to' in c ? {to: maskSensitive(c.to, c.path)} : {}),
    }))
  }

  // ---- operations --------------------------------------------------------------------------

  async apply(
    caller: Caller,
    request: ApplyRequest,
    /** A rollback (rollout undo) says so in the event and the history. */
    rollback?: {revision: number},
  ): Promise<ApplyResponse> {
    const validation = validateManifest(request.manifest)
    if (!validation.manifest || !validation.kind) {
      throw new ApiError('Invalid', 'the manifest is not valid', validation.problems.map(detailOf))
    }
    const manifest = validation.manifest
    const kind = validation.kind
    const name = String(manifest.name)
    let workspace = ''
    if (kind.scope === 'workspace') {
      const own = typeof manifest.workspace === 'string' ? manifest.workspace : undefined
      if (own !== undefined && request.workspace !== undefined && own !== request.workspace) {
        throw new ApiError('Invalid', 'the manifest is not valid', [
          detailOf({
            path: ['workspace'],
            code: 'InvalidValue',
            value: own,
            detail: `does not match the requested workspace ${request.workspace}`,
          }),
        ])
      }
      workspace = checkWorkspace(own ?? request.workspace ?? DEFAULT_WORKSPACE)
    }
    if (kind.type === 'worker') enforce(writeWorker(caller, workspace, this.tenancy))
    else authorize(caller, 'write', workspace)
    const key: ResourceKey = {workspace, type: kind.type, name}
    const crossProblems = await this.crossResourceProblems(caller, manifest, workspace)
    if (crossProblems.length > 0)
      throw new ApiError('Invalid', 'the manifest refers to resources that are missing or not readable', crossProblems)

    const current = await this.store.get(key)
    const owner =
      caller.user.admin && typeof manifest.owner === 'string' ? manifest.owner : (current?.owner ?? caller.user.name)
    // Credentials (secret values, runAsApiKey) are stored apart, encrypted.
    const {plain: stored, sensitive} = splitSensitive(manifest)
    let sealed: SpecWrite['sealed']
    if (sensitive) {
      sealed = this.cipher.seal(sensitive)
      // Same values, same digest: keep the stored ciphertext rather than churn it.
      if (current?.sealed?.digest === sealed.digest) sealed = current.sealed
    }
    const write: SpecWrite = {
      key,
      version: String(manifest.version),
      owner,
      manifest: stored,
      ...(sealed ? {sealed} : {}),
    }
    const expected = request.resourceVersion === undefined ? undefined : Number(request.resourceVersion)
    if (expected !== undefined && !Number.isSafeInteger(expected))
      throw new ApiError(
        'BadRequest',
        `resourceVersion must be a number, not ${JSON.stringify(request.resourceVersion)}`,
      )
    const before = current ? this.fullManifest(current, true) : undefined
    const diff = this.diff(before, manifest)

    if (request.dryRun) {
      if (expected !== undefined && (current?.resourceVersion ?? 0) !== expected)
        throw this.conflict(key, current, expected)
      const result = applyOutcome(current, write)
      const now = new Date().toISOString()
      const preview: StoredRecord = current
        ? {...current, ...write, generation: current.generation + (result === 'unchanged' ? 0 : 1)}
        : {
            ...write,
            uid: '',
            status: initialStatus(kind.type, manifest, this.dataplaneNames),
            generation: 1,
            resourceVersion: 0,
            createdAt: now,
            updatedAt: now,
          }
      return {result, dryRun: true, resource: this.toObject(preview), diff}
    }

    try {
      const {result, record} = await this.store.putSpec(write, {
        ifResourceVersion: expected,
        initialStatus: initialStatus(kind.type, manifest, this.dataplaneNames),
        event: (r) => {
          const generation = `generation ${r === 'created' ? 1 : (current?.generation ?? 0) + 1}`
          return rollback
            ? {
                type: 'Normal',
                reason: 'RolledBack',
                message: `rolled back to revision ${rollback.revision} by ${caller.user.name} (${generation})`,
              }
            : {type: 'Normal', reason: 'Applied', message: `${r} by ${caller.user.name} (${generation})`}
        },
        ...(kind.type === 'worker'
          ? {
              revision: {
                template: templateOf(write),
                cause: rollback
                  ? `rollback to revision ${rollback.revision} by ${caller.user.name}`
                  : `${current ? 'apply' : 'create'} by ${caller.user.name}`,
                keep: REVISIONS_KEPT,
              },
            }
          : {}),
      })
      let stored = record
      // A compute's status follows its dataplane, which an update may change.
      if (kind.type === 'compute' && result === 'updated') {
        const status = initialStatus(kind.type, manifest, this.dataplaneNames)
        if (!jsonEqual(status, record.status)) stored = await this.store.putStatus(key, status)
      }
      if (result !== 'unchanged') this.onChange(key, {stackNames: stackNames(record, current)})
      return {result, dryRun: false, resource: this.toObject(stored), diff: result === 'unchanged' ? [] : diff}
    } catch (error) {
      if (error instanceof StoreConflictError) throw this.conflict(key, error.current, expected)
      throw error
    }
  }

  private conflict(key: ResourceKey, current: StoredRecord | undefined, expected: number | undefined): ApiError {
    const id = `${key.type} ${key.workspace ? `${key.workspace}/` : ''}${key.name}`
    const message =
      expected === 0 && current
        ? `${id} already exists`
        : current
          ? `${id} has been modified (resourceVersion ${current.resourceVersion}, not ${expected}); get it again and re-apply your change`
          : `${id} does not exist (expected resourceVersion ${expected})`
    return new ApiError('Conflict', message)
  }

  async get(caller: Caller, query: ResourceRefQuery, reveal = false): Promise<ResourceObject> {
    const key = this.keyOf(query.type, query.name, query.workspace)
    authorize(caller, 'read', key.workspace)
    const record = await this.store.get(key)
    if (!record)
      throw new ApiError(
        'NotFound',
        `${key.type} ${JSON.stringify(key.name)} not found${key.workspace ? ` in workspace ${key.workspace}` : ''}`,
      )
    // Credentials in clear only for a caller who asks and is an admin or the owner (dataos-ctl's --unSanitize).
    if (reveal && record.sealed) enforce(revealCredentials(caller, {owner: record.owner, workspace: key.workspace}))
    return this.toObject(record, reveal)
  }

  async list(caller: Caller, query: ListQuery): Promise<ListResponse> {
    if (query.type !== undefined && !findKind(query.type))
      throw new ApiError('BadRequest', `unknown resource type ${JSON.stringify(query.type)}`)
    const limit = Math.min(query.limit ?? 500, MAX_PAGE)
    if (!Number.isInteger(limit) || limit < 1)
      throw new ApiError('BadRequest', `limit must be a whole number from 1 to ${MAX_PAGE}`)
    let workspace = query.workspace
    if (workspace !== undefined && query.type !== undefined && findKind(query.type)!.scope === 'instance')
      workspace = ''
    if (workspace) checkWorkspace(workspace)
    if (workspace !== undefined) authorize(caller, 'read', workspace)
    let after: ResourceKey | undefined
    if (query.continue) {
      // Tokens are sealed: opaque to the caller (the last key of a page may be a resource it cannot read) and tamper-proof.
      const [w, t, n] = (this.cipher.openToken(query.continue) ?? []) as unknown[]
      if (typeof w !== 'string' || typeof t !== 'string' || typeof n !== 'string')
        throw new ApiError('BadRequest', 'continue is not a token from a previous page')
      after = {workspace: w, type: t, name: n}
    }
    const owner = query.all ? undefined : (query.owner ?? caller.user.name)
    const page = await this.store.list({
      type: query.type,
      workspace,
      name: query.name,
      owner,
      limit,
      ...(after ? {after} : {}),
    })
    const items = page.filter((r) => allowed(caller, 'read', r.key.workspace)).map((r) => this.toObject(r))
    const last = page.at(-1)
    return {
      items,
      ...(page.length === limit && last
        ? {continue: this.cipher.sealToken([last.key.workspace, last.key.type, last.key.name])}
        : {}),
    }
  }

  /**
   * Workers a change of this secret, stack or compute may concern: those that consume the secret,
   * that name the stack (any version: a new or deleted version can change what they resolve to),
   * or that run on the compute.
   */
  async workersUsing(key: ResourceKey, change: Change): Promise<ResourceKey[]> {
    if (key.type !== 'secret' && key.type !== 'stack' && key.type !== 'compute') return []
    const out: ResourceKey[] = []
    for (const w of await this.all({type: 'worker'})) {
      const worker = workerSpec(w.manifest)
      const uses =
        key.type === 'secret'
          ? consumes(worker, w.key.workspace, key)
          : key.type === 'compute'
            ? worker.compute === key.name
            : change.stackNames.includes(parseStackRef(worker.stack).name)
      if (uses) out.push(w.key)
    }
    return out
  }

  /** Workers that reference a secret, a stack or a compute (what blocks its deletion). */
  private async dependants(record: StoredRecord): Promise<string[]> {
    if (record.key.type !== 'secret' && record.key.type !== 'stack' && record.key.type !== 'compute') return []
    const workers = await this.all({type: 'worker'})
    const stacks =
      record.key.type === 'stack'
        ? (await this.all({type: 'stack'})).map(storedStack).filter((s) => s !== undefined)
        : []
    const out: string[] = []
    for (const w of workers) {
      const section = workerSpec(w.manifest)
      const uses =
        record.key.type === 'secret'
          ? consumes(section, w.key.workspace, record.key)
          : record.key.type === 'compute'
            ? section.compute === record.key.name
            : resolveStack(parseStackRef(section.stack), stacks)?.record.key.name === record.key.name
      if (uses)
        out.push(formatRef({type: w.key.type, version: w.version, name: w.key.name, workspace: w.key.workspace}))
    }
    return out
  }

  async delete(
    caller: Caller,
    query: ResourceRefQuery,
    options: {force?: boolean; resourceVersion?: string; waitMs?: number} = {},
  ): Promise<DeleteResponse> {
    const key = this.keyOf(query.type, query.name, query.workspace)
    if (key.type === 'worker') enforce(writeWorker(caller, key.workspace, this.tenancy))
    else authorize(caller, 'write', key.workspace)
    const record = await this.store.get(key)
    if (!record)
      throw new ApiError(
        'NotFound',
        `${key.type} ${JSON.stringify(key.name)} not found${key.workspace ? ` in workspace ${key.workspace}` : ''}`,
      )
    const dependants = await this.dependants(record)
    if (dependants.length > 0 && !options.force) {
      throw new ApiError(
        'Conflict',
        `${key.type} ${key.name} is still used by ${dependants.join(', ')}; delete those first, or pass --force`,
        dependants.map((d) => ({code: 'Dependency', message: `used by ${d}`})),
      )
    }
    const expected = options.resourceVersion === undefined ? undefined : Number(options.resourceVersion)
    try {
      const deleted = await this.store.delete(key, {ifResourceVersion: expected})
      if (!deleted) throw new ApiError('NotFound', `${key.type} ${JSON.stringify(key.name)} not found`)
      this.onChange(key, {stackNames: stackNames(deleted)})
      const response: DeleteResponse = {
        deleted: this.toObject(deleted),
        skipped: dependants.map((d) => `still used by ${d}`),
      }
      if (options.waitMs !== undefined && key.type === 'worker')
        response.replicasStopped = await this.replicasGone(key, options.waitMs)
      return response
    } catch (error) {
      if (error instanceof StoreConflictError) throw this.conflict(key, error.current, expected)
      if (error instanceof StoreNotFoundError) throw new ApiError('NotFound', error.message)
      throw error
    }
  }

  /**
   * scale, stop, start and restart: what users do to a worker without writing a manifest.
   * scale changes the stored manifest's replicas (as kubectl scale does: the next apply of the
   * file sets them again); stop, start and restart are the control plane's own marks in the
   * status (`stopped`, `restartedAt`), kept across applies and read by the reconciler.
   */
  async workerAction(
    caller: Caller,
    query: ResourceRefQuery,
    action: WorkerAction,
    body: {replicas?: number} = {},
  ): Promise<WorkerActionResponse> {
    if (query.type !== 'worker') throw new ApiError('BadRequest', `only workers can ${action}, not ${query.type}s`)
    const key = this.keyOf('worker', query.name, query.workspace)
    enforce(writeWorker(caller, key.workspace, this.tenancy))
    // The reconciler writes status too: retry over its writes, never over a lost update.
    for (let attempt = 0; ; attempt++) {
      const record = await this.store.get(key)
      if (!record)
        throw new ApiError('NotFound', `worker ${JSON.stringify(key.name)} not found in workspace ${key.workspace}`)
      try {
        const done = await this.actOn(caller, record, action, body)
        if (done.changed) this.onChange(key, {stackNames: []})
        return {action, result: done.result, changed: done.changed, resource: this.toObject(done.record)}
      } catch (error) {
        if (!(error instanceof StoreConflictError) || attempt >= 10) throw error
      }
    }
  }

  private async actOn(
    caller: Caller,
    record: StoredRecord,
    action: WorkerAction,
    body: {replicas?: number},
  ): Promise<{result: string; changed: boolean; record: StoredRecord}> {
    const worker = workerSpec(record.manifest)
    const by = caller.user.name
    const unchanged = (result: string) => ({result, changed: false, record})
    const mark = async (status: ResourceStatus, reason: string, message: string) => {
      const updated = await this.store.putStatus(record.key, status, {ifResourceVersion: record.resourceVersion})
      await this.store.addEvent(record.key, {type: 'Normal', reason, message})
      return updated
    }
    const stopped = record.status.stopped === true
    if (action === 'scale') {
      const replicas = body.replicas
      if (replicas === undefined || !Number.isSafeInteger(replicas) || replicas < 0)
        throw new ApiError('BadRequest', 'scale needs replicas, a whole number of 0 or more')
      const scaling = autoscalingSpec(worker)
      if (scaling)
        throw new ApiError(
          'Invalid',
          `worker ${record.key.name} is autoscaled (${scaling.minReplicas ?? 1} to ${scaling.maxReplicas} replicas): change worker.autoScaling.minReplicas and maxReplicas in its manifest instead`,
        )
      if (replicas > this.maxReplicas)
        throw new ApiError(
          'Invalid',
          `${replicas} replicas is more than ${this.maxReplicas} (the control plane's maxReplicas setting)`,
          [{field: 'worker.replicas', code: 'InvalidValue', message: `must be at most ${this.maxReplicas}`}],
        )
      const from = worker.replicas ?? 1
      if (from === replicas) return unchanged(`already ${replicas} replicas${stopped ? ' (stopped)' : ''}`)
      const section = isObject(record.manifest.worker) ? record.manifest.worker : {}
      const {record: updated} = await this.store.putSpec(
        {
          key: record.key,
          version: record.version,
          owner: record.owner,
          manifest: {...record.manifest, worker: {...section, replicas}},
          ...(record.sealed ? {sealed: record.sealed} : {}),
        },
        {
          ifResourceVersion: record.resourceVersion,
          initialStatus: record.status,
          event: () => ({type: 'Normal', reason: 'Scaled', message: `replicas ${from} → ${replicas} by ${by}`}),
          revision: {template: templateOf(record), cause: `scale by ${by}`, keep: REVISIONS_KEPT},
        },
      )
      return {
        result: `replicas ${from} → ${replicas}${stopped ? ' (stopped: start runs them)' : ''}`,
        changed: true,
        record: updated,
      }
    }
    if (action === 'stop') {
      if (stopped) return unchanged('already stopped')
      const updated = await mark(
        {...record.status, stopped: true},
        'Stopping',
        `stopped by ${by}: replicas 0 until start`,
      )
      return {result: 'stopped', changed: true, record: updated}
    }
    if (action === 'start') {
      if (!stopped) return unchanged('already started')
      const {stopped: _, ...status} = record.status
      const updated = await mark(status, 'Starting', `started by ${by}`)
      return {result: 'started', changed: true, record: updated}
    }
    if (stopped) throw new ApiError('Conflict', `worker ${record.key.name} is stopped: start it instead`)
    const at = new Date().toISOString()
    // Progressing at once: a rollout status (or apply --wait) asked right after the restart
    // waits for it, rather than reading the last rollout as complete.
    const conditions = (record.status.conditions ?? []).map((c) =>
      c.type === 'Progressing'
        ? {
            ...c,
            status: 'True' as const,
            reason: 'RestartRequested',
            message: `rolling restart requested by ${by}`,
            lastTransitionTime: at,
          }
        : c,
    )
    const updated = await mark(
      {...record.status, restartedAt: at, phase: 'Progressing', conditions},
      'Restarting',
      `rolling restart by ${by}`,
    )
    return {result: 'restarting (rolling: one replica at a time)', changed: true, record: updated}
  }

  /** A worker's rollout history (kubectl rollout history): oldest first, credentials masked. */
  async revisions(caller: Caller, query: ResourceRefQuery): Promise<RevisionsResponse> {
    const record = await this.workerRecord(caller, query)
    const kept = await this.store.revisions(record.key)
    return {
      items: kept.map((r, i) => ({
        revision: r.revision,
        generation: r.generation,
        createdAt: r.createdAt,
        cause: r.cause,
        current: i === kept.length - 1,
        manifest: r.sealed ? joinSensitive(r.manifest, this.cipher.unseal(r.sealed) as Json, false) : r.manifest,
      })),
    }
  }

  /**
   * Rolls a worker back to a kept revision (kubectl rollout undo): the previous one, or
   * `toRevision`. Its spec is applied again (validated and authorized as any apply) with the
   * worker's replica count as it is now; it becomes the newest revision.
   */
  async undo(caller: Caller, query: ResourceRefQuery, toRevision?: number): Promise<UndoResponse> {
    const record = await this.workerRecord(caller, query)
    enforce(writeWorker(caller, record.key.workspace, this.tenancy))
    const kept = await this.store.revisions(record.key)
    const numbers = kept.map((r) => r.revision).join(', ')
    const target = toRevision === undefined ? kept.at(-2) : kept.find((r) => r.revision === toRevision)
    if (!target)
      throw new ApiError(
        'NotFound',
        toRevision === undefined
          ? `worker ${record.key.name} has no earlier revision to roll back to${numbers ? ` (kept: ${numbers})` : ''}`
          : `worker ${record.key.name} has no revision ${toRevision} (kept: ${numbers || 'none'})`,
      )
    const newest = kept.at(-1)!
    if (target === newest || target.template === templateOf(record))
      return {
        result: `skipped: revision ${target.revision} is the one in force`,
        changed: false,
        revision: newest.revision,
        resource: this.toObject(record),
      }
    const full = target.sealed
      ? joinSensitive(target.manifest, this.cipher.unseal(target.sealed) as Json, true)
      : target.manifest
    const section = isObject(full.worker) ? {...full.worker} : {}
    const replicas = isObject(record.manifest.worker) ? record.manifest.worker.replicas : undefined
    if (replicas === undefined) delete section.replicas
    else section.replicas = replicas
    const applied = await this.apply(
      caller,
      {
        manifest: {...full, worker: section},
        workspace: record.key.workspace,
        resourceVersion: String(record.resourceVersion),
      },
      {revision: target.revision},
    )
    const after = (await this.store.revisions(record.key)).at(-1)
    return {
      result: `rolled back to revision ${target.revision}`,
      changed: applied.result !== 'unchanged',
      revision: after?.revision ?? target.revision,
      resource: applied.resource,
    }
  }

  /** Whether a deleted worker's replicas are all gone within `ms` (the reconciler stops them). */
  private async replicasGone(key: ResourceKey, ms: number): Promise<boolean> {
    const workload = {workspace: key.workspace, name: key.name}
    const deadline = Date.now() + ms
    for (;;) {
      const local = this.runtime?.observe(workload)?.replicas.length ?? 0
      if (local === 0 && (this.clusterObserved(workload)?.replicas.length ?? 0) === 0) return true
      if (Date.now() >= deadline) return false
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  private async workerRecord(caller: Caller, query: ResourceRefQuery): Promise<StoredRecord> {
    if (query.type !== 'worker') throw new ApiError('BadRequest', `only workers have replicas, not ${query.type}s`)
    const key: ResourceKey = {
      type: 'worker',
      name: query.name,
      workspace: checkWorkspace(query.workspace ?? DEFAULT_WORKSPACE),
    }
    authorize(caller, 'read', key.workspace)
    const record = await this.store.get(key)
    if (!record)
      throw new ApiError('NotFound', `worker ${JSON.stringify(key.name)} not found in workspace ${key.workspace}`)
    return record
  }

  /** The replicas of a worker, as the runtime sees them. */
  async runtimeOf(caller: Caller, query: ResourceRefQuery): Promise<RuntimeView> {
    const record = await this.workerRecord(caller, query)
    const key = {workspace: record.key.workspace, name: record.key.name}
    // Replicas not sampled yet (just started) get a sample now: memory at once, CPU from the next one.
    const dataplane = await this.dataplaneOfWorker(record)
    // On Kubernetes, usage is the cluster's metrics-server's, read now.
    const sampled = dataplane === undefined ? undefined : await this.dataplanes.get(dataplane)?.sample(key)
    const cluster = sampled?.observed
    if (dataplane === undefined && this.runtime?.observe(key)?.replicas.some((r) => r.phase === 'Running' && !r.usage))
      await this.runtime.sample()
    const observed = dataplane === undefined ? this.runtime?.observe(key) : cluster
    const replicas = (observed?.replicas ?? []).map(
      (r): ReplicaView => ({
        id: r.id,
        // A pod is named already; a local replica is named after its worker.
        name: cluster ? r.id : `${record.key.name}-${r.id}`,
        index: r.index,
        revision: r.revision,
        phase: r.phase,
        ...(r.pid !== undefined ? {pid: r.pid} : {}),
        ready: r.ready,
        restarts: r.restarts,
        crashLooping: r.crashLooping,
        ...(r.lastExit ? {lastExit: r.lastExit} : {}),
        ...(r.startedAt ? {startedAt: r.startedAt} : {}),
        ...(r.nextStartAt ? {nextStartAt: r.nextStartAt} : {}),
        ...(r.message ? {message: r.message} : {}),
        ...(r.node ? {node: r.node} : {}),
        ...(r.usage?.cpuCores !== undefined ? {cpuCores: r.usage.cpuCores} : {}),
        ...(r.usage?.memoryBytes !== undefined ? {memoryBytes: r.usage.memoryBytes} : {}),
      }),
    )
    return {
      id: formatRef({type: 'worker', version: record.version, name: record.key.name, workspace: record.key.workspace}),
      generation: record.generation,
      status: record.status,
      ...(observed?.revision ? {revision: observed.revision} : {}),
      limits: cluster?.limits ?? this.runtime?.limits() ?? {memory: 'none', cpu: 'none', detail: 'no runtime'},
      ...(sampled?.usageUnavailable ? {usageUnavailable: sampled.usageUnavailable} : {}),
      replicas,
    }
  }

  /** The worker's samples over the last hour, with the requests and limits to read them against. */
  async history(caller: Caller, query: ResourceRefQuery): Promise<WorkerHistoryView> {
    const record = await this.workerRecord(caller, query)
    const worker = workerSpec(record.manifest)
    const compute = await this.store.get({type: 'compute', workspace: '', name: String(worker.compute)})
    const {requests, limits} = effectiveResources(
      worker.resources,
      compute ? computeSpec(compute.manifest).defaults : undefined,
    )
    const amounts = (a: {cpu?: unknown; memory?: unknown}) => ({
      ...(parseCpu(a.cpu) !== undefined ? {cpu: parseCpu(a.cpu)!} : {}),
      ...(parseMemory(a.memory) !== undefined ? {memory: parseMemory(a.memory)!} : {}),
    })
    return {
      requests: amounts(requests),
      limits: amounts(limits),
      points: [...(this.samples?.series(workloadId({workspace: record.key.workspace, name: record.key.name})) ?? [])],
    }
  }

  /** A replica index that the worker does not have is NotFound, not an empty log. */
  checkReplica(record: StoredRecord, replica: number | undefined): void {
    if (replica === undefined) return
    const key = {workspace: record.key.workspace, name: record.key.name}
    const replicas = (this.clusterObserved(key) ?? this.runtime?.observe(key))?.replicas ?? []
    if (!replicas.some((r) => r.index === replica))
      throw new ApiError(
        'NotFound',
        `worker ${record.key.name} has no replica ${replica}${replicas.length > 0 ? ` (it has ${[...new Set(replicas.map((r) => r.index))].sort((a, b) => a - b).join(', ')})` : ' (none runs)'}`,
      )
  }

  /** Throws unless the caller may read the worker's logs (they may hold the values of its secrets). */
  async checkLogs(caller: Caller, query: ResourceRefQuery): Promise<StoredRecord> {
    const record = await this.workerRecord(caller, query)
    enforce(readLogs(caller, record.key.workspace, secretWorkspaces(record.manifest, record.key.workspace)))
    return record
  }

  /** Log lines of a worker's replicas: the tail, then (follow) new lines until `signal` aborts. */
  async logs(caller: Caller, query: LogQuery, onLine: (line: LogLine) => void, signal?: AbortSignal): Promise<void> {
    const record = await this.checkLogs(caller, query)
    this.checkReplica(record, query.replica)
    const key = {workspace: record.key.workspace, name: record.key.name}
    const dataplane = await this.dataplaneOfWorker(record)
    if (dataplane !== undefined) {
      const cluster = this.dataplanes.get(dataplane)
      if (!cluster)
        throw new ApiError(
          'Unavailable',
          `worker ${record.key.name} runs on dataplane ${dataplane}, which is not configured`,
        )
      await cluster.logs(key, query, onLine, signal)
      return
    }
    await this.runtime?.logs(key, query, onLine, signal)
  }

  /** Creates a user (or replaces its grants) and issues a key; admins only, the local admin excepted. */
  private requireAdmin(caller: Caller, what: string): void {
    if (!caller.user.admin) throw new ApiError('Forbidden', `user ${caller.user.name} may not ${what}`)
  }

  private notLocalAdmin(name: string): void {
    if (name === this.localAdmin)
      throw new ApiError(
        'Forbidden',
        `user ${name} is the local admin: the control plane keeps it and its key file, the API does not change them`,
      )
  }

  private async issueKey(user: string, by: string): Promise<{id: string; key: string}> {
    const key = newApiKey()
    await this.store.addApiKey({
      id: key.id,
      user,
      name: `issued by ${by}`,
      hash: key.hash,
      createdAt: new Date().toISOString(),
    })
    return {id: key.id, key: key.key}
  }

  async createUser(caller: Caller, body: CreateUserRequest): Promise<CreateUserResponse> {
    this.requireAdmin(caller, 'create users')
    this.notLocalAdmin(body.name)
    // One order, whatever order the flags came in: listings and updates compare them as sets.
    const grants = [...(body.grants ?? [])].sort((a, b) =>
      a.workspace === b.workspace ? a.access.localeCompare(b.access) : a.workspace.localeCompare(b.workspace),
    )
    if (body.admin !== true && grants.some((g) => g.access === 'write')) enforce(grantWrite(caller, this.tenancy))
    const user = {name: body.name, admin: body.admin === true, grants}
    const existing = await this.store.getUser(body.name)
    if (existing && !body.update)
      throw new ApiError(
        'Conflict',
        `user ${body.name} already exists: --update replaces its permissions, user rotate-key issues a new key`,
      )
    if (!existing && body.update) throw new ApiError('NotFound', `user ${body.name} does not exist`)
    await this.store.putUser(user)
    const view = {user: user.name, admin: user.admin, grants: user.grants}
    if (existing) return {user: view, changes: userChanges(existing, user)}
    return {user: view, apiKey: (await this.issueKey(user.name, caller.user.name)).key}
  }

  async listUsers(caller: Caller): Promise<UsersResponse> {
    this.requireAdmin(caller, 'list users')
    const users = await this.store.listUsers()
    return {items: users.map((u) => ({user: u.name, admin: u.admin, grants: u.grants, keys: u.keys}))}
  }

  async deleteUser(caller: Caller, name: string): Promise<{user: string}> {
    this.requireAdmin(caller, 'delete users')
    this.notLocalAdmin(name)
    if (name === caller.user.name)
      throw new ApiError('Forbidden', `user ${name} may not delete itself: another admin can`)
    if (!(await this.store.deleteUser(name))) throw new ApiError('NotFound', `user ${name} does not exist`)
    return {user: name}
  }

  /** A new key for `name`; every other key of it is revoked in the same request. */
  async rotateKey(caller: Caller, name: string): Promise<RotateKeyResponse> {
    if (name !== caller.user.name) this.requireAdmin(caller, `rotate the keys of ${name}`)
    this.notLocalAdmin(name)
    if (!(await this.store.getUser(name))) throw new ApiError('NotFound', `user ${name} does not exist`)
    const issued = await this.issueKey(name, caller.user.name)
    const revoked = await this.store.deleteApiKeys(name, issued.id)
    return {user: name, apiKey: issued.key, revoked}
  }

  async events(caller: Caller, query: ResourceRefQuery): Promise<EventsResponse> {
    const key = this.keyOf(query.type, query.name, query.workspace)
    authorize(caller, 'read', key.workspace)
    if (!(await this.store.get(key)))
      throw new ApiError('NotFound', `${key.type} ${JSON.stringify(key.name)} not found`)
    return {items: await this.store.events(key)}
  }
}

export interface LogQuery extends ResourceRefQuery, LogOptions {}

/** What an update of a user changes, in words. */
function userChanges(
  before: {admin: boolean; grants: {workspace: string; access: string}[]},
  after: {admin: boolean; grants: {workspace: string; access: string}[]},
): string[] {
  const changes: string[] = []
  if (before.admin !== after.admin) changes.push(`admin: ${before.admin} → ${after.admin}`)
  const text = (g: {workspace: string; access: string}) => `${g.workspace}:${g.access}`
  const was = new Set(before.grants.map(text))
  const now = new Set(after.grants.map(text))
  for (const g of now) if (!was.has(g)) changes.push(`grant ${g} added`)
  for (const g of was) if (!now.has(g)) changes.push(`grant ${g} removed`)
  return changes
}

export interface ServiceOptions {
  /** How replicas are separated (permissions.ts); 'isolated' when the control plane is root. */
  tenancy?: Tenancy
  /** The most replicas a worker may ask for (replicas, autoscaling min and max). */
  maxReplicas?: number
  /** The local admin: created and kept by the control plane, never changed through the API. */
  localAdmin?: string
  /** Kubernetes dataplanes of the configuration, by name. */
  dataplanes?: ReadonlyMap<string, ClusterDataplane>
  /** Several control planes share the store (--ha): workers run on Kubernetes dataplanes only. */
  highlyAvailable?: boolean
  /** The samples of every worker over the last hour (scheduler/history.ts). */
  history?: {series(id: string): Readonly<WorkerHistoryView['points']>}
}

/** A workspace from a request: the rule of resource names (it becomes folder names and uids). */
function checkWorkspace(workspace: string): string {
  const bad = nameProblem(workspace)
  if (bad) throw new ApiError('BadRequest', `workspace ${JSON.stringify(workspace.slice(0, 64))} ${bad}`)
  return workspace
}

/** What a write changed, for waking the workers it concerns: the stack names a Stack resource declared before and after. */
export interface Change {
  stackNames: string[]
}

const stackNames = (...records: (StoredRecord | undefined)[]): string[] =>
  records.flatMap((r) => {
    const identity = r && stackIdentity(r.manifest.stack)
    return identity ? [identity.name] : []
  })

/** Workspaces of the secrets a worker manifest consumes. */
function secretWorkspaces(manifest: Json, workspace: string): string[] {
  const worker = workerSpec(manifest)
  const out = (worker.secrets ?? []).length > 0 ? [workspace] : []
  for (const ref of worker.dataosSecrets ?? []) out.push(ref.workspace ?? workspace)
  return out
}

/** Whether a worker (in `workspace`) consumes the secret `secret`. */
function consumes(worker: WorkerSpec, workspace: string, secret: ResourceKey): boolean {
  if (workspace === secret.workspace && (worker.secrets ?? []).includes(secret.name)) return true
  return (worker.dataosSecrets ?? []).some(
    (r) => r.name === secret.name && (r.workspace ?? workspace) === secret.workspace,
  )
}
