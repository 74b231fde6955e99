// The PostgreSQL store (issue 11): the same port as the SQLite store, for control planes that
// share one database. Durability and ordering as SQLite's: a write is acknowledged once its
// transaction has committed; the writes that arrive in one turn of the event loop are committed
// together ("group commit"), each in its own savepoint so that one failing write (a 409) does
// not undo the others; resourceVersions come from a counter row updated inside the batch's
// transaction, so commits are ordered by version. Nothing is cached: another control plane may
// have written since (the change feed that would keep a cache exact is the HA part's).
// Driver: `postgres` (porsager), decision 0014.
import {randomUUID} from 'node:crypto'
import postgres from 'postgres'
import type {Json, ResourceEvent, ResourceStatus} from '../../resources/stored.js'
import {
  type ApiKeyRecord,
  type ListFilter,
  type NewEvent,
  type PutSpecOptions,
  type PutSpecResult,
  type ResourceKey,
  type ResourceStore,
  type RevisionRecord,
  type SpecWrite,
  StoreNotFoundError,
  StoreUnavailableError,
  type StoredRecord,
  type User,
  applyOutcome,
  redactUrl,
  similarMessages,
  specChanged,
  staleVersion,
} from '../store.js'
import {PG_MIGRATIONS} from './migrations.js'

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (or ?host=/socket/folder). */
  url: string
  /** Events kept per resource; older ones are dropped. */
  eventsPerResource?: number
  /** A schema of its own (tests; one database for several stores); default: the user's search_path. */
  schema?: string
  /** Connections in the pool. */
  max?: number
}

type Sql = postgres.Sql
type Tx = postgres.TransactionSql
type Row = Record<string, unknown>

interface Pending {
  op: (tx: Tx) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/** The advisory lock migrations run under: several control planes may start at once. */
const MIGRATION_LOCK = 0x64726f76 // "drov"

/** Why the database cannot take writes, when `error` says so (PostgreSQL's SQLSTATE, or no connection). */
function databaseFailure(error: unknown): string | undefined {
  const e = error as {code?: string; errno?: string; message?: string}
  if (e?.code === '53100') return 'the database server’s disk is full'
  if (e?.code === '25006') return 'the database is read-only'
  if (e?.code === '57P01' || e?.code === '57P03') return 'the database server is shutting down or starting'
  if (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT'].includes(
      e?.code ?? '',
    )
  )
    return `the database does not answer (${e.code})`
  return undefined
}

const num = (v: unknown) => Number(v)

function toRecord(row: Row): StoredRecord {
  return {
    key: {workspace: String(row.workspace), type: String(row.type), name: String(row.name)},
    version: String(row.version),
    owner: String(row.owner),
    uid: String(row.uid),
    manifest: JSON.parse(String(row.manifest)) as StoredRecord['manifest'],
    ...(row.sealed ? {sealed: {ciphertext: String(row.sealed), digest: String(row.sealed_digest)}} : {}),
    status: JSON.parse(String(row.status)) as ResourceStatus,
    generation: num(row.generation),
    resourceVersion: num(row.resource_version),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  }
}

export class PostgresStore implements ResourceStore {
  private readonly sql: Sql
  private readonly eventsPerResource: number
  private queue: Pending[] = []
  private flushing: Promise<void> | undefined
  private flushScheduled = false
  private closed = false
  /** Number of transactions and of writes in them, for /metrics. */
  readonly stats = {commits: 0, writes: 0}
  /** Why the store cannot write now (its last write failed for the database), or undefined. */
  unwritable: string | undefined

  private constructor(sql: Sql, eventsPerResource: number) {
    this.sql = sql
    this.eventsPerResource = eventsPerResource
  }

  /** Connects, and migrates under an advisory lock; a bad URL or a server that does not answer throws one line. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    let sql: Sql
    try {
      // libpq's ?host=/folder (a Unix socket) is an option here, not a server parameter.
      const url = new URL(options.url)
      if (!/^postgres(ql)?:$/.test(url.protocol)) throw new Error('not a postgres:// URL')
      const socket = url.searchParams.get('host') ?? undefined
      url.searchParams.delete('host')
      sql = postgres(url.toString(), {
        ...(socket ? {host: socket} : {}),
        max: options.max ?? 10,
        onnotice: () => {},
        connect_timeout: 10,
        connection: {application_name: 'drover', ...(options.schema ? {search_path: options.schema} : {})},
      })
    } catch (error) {
      throw new Error(`store ${redactUrl(options.url)}: ${(error as Error).message}`)
    }
    const store = new PostgresStore(sql, options.eventsPerResource ?? 100)
    try {
      await store.migrate(options.schema)
    } catch (error) {
      await sql.end({timeout: 1}).catch(() => undefined)
      const e = error as {code?: string; message?: string}
      throw new Error(`store ${redactUrl(options.url)}: ${e.message ?? String(error)}${e.code ? ` (${e.code})` : ''}`)
    }
    return store
  }

  private async migrate(schema: string | undefined): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`
      if (schema) await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '""')}"`)
      await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL)`
      const applied = new Set((await tx`SELECT version FROM schema_migrations`).map((r) => num(r.version)))
      for (const migration of PG_MIGRATIONS) {
        if (applied.has(migration.version)) continue
        await tx.unsafe(migration.sql)
        await tx`INSERT INTO schema_migrations (version, applied_at) VALUES (${migration.version}, ${new Date().toISOString()})`
      }
    })
  }

  // ---- the write queue -------------------------------------------------------------------

  private write<T>(op: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    return new Promise<T>((resolve, reject) => {
      this.queue.push({op, resolve: resolve as (v: unknown) => void, reject})
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      // One batch at a time: what arrives meanwhile is the next batch.
      const previous = this.flushing ?? Promise.resolve()
      this.flushing = previous.then(() => this.flush())
    })
  }

  private async flush(): Promise<void> {
    const batch = this.queue
    this.queue = []
    if (batch.length === 0) return
    const outcomes: {ok: boolean; value: unknown}[] = []
    try {
      await this.sql.begin(async (tx) => {
        for (const item of batch) {
          try {
            outcomes.push({ok: true, value: await tx.savepoint((sp) => item.op(sp))})
          } catch (error) {
            outcomes.push({ok: false, value: error})
          }
        }
      })
    } catch (error) {
      // The transaction itself failed (the server went away, its disk is full): nothing of the batch is stored.
      const failure = databaseFailure(error)
      if (failure) this.unwritable = failure
      for (const item of batch) item.reject(failure ? new StoreUnavailableError(failure) : error)
      return
    }
    this.stats.commits++
    this.stats.writes += batch.length
    this.unwritable = outcomes.map((o) => (o.ok ? undefined : databaseFailure(o.value))).find((f) => f !== undefined)
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) item.resolve(outcome.value)
      else {
        const failure = databaseFailure(outcome.value)
        item.reject(failure ? new StoreUnavailableError(failure) : outcome.value)
      }
    })
  }

  /** A write that changes nothing: succeeds only when the database takes writes again. */
  async probeWrite(): Promise<void> {
    await this.write(async (tx) => {
      await tx`UPDATE counters SET value = value WHERE name = 'resource_version'`
    })
  }

  // ---- resources ---------------------------------------------------------------------------

  private async current(tx: Tx | Sql, key: ResourceKey, lock = false): Promise<StoredRecord | undefined> {
    const rows = lock
      ? await tx`SELECT * FROM resources WHERE workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name} FOR UPDATE`
      : await tx`SELECT * FROM resources WHERE workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name}`
    return rows[0] ? toRecord(rows[0]) : undefined
  }

  private async nextResourceVersion(tx: Tx): Promise<number> {
    const [row] = await tx`UPDATE counters SET value = value + 1 WHERE name = 'resource_version' RETURNING value`
    return num(row!.value)
  }

  async get(key: ResourceKey): Promise<StoredRecord | undefined> {
    return this.current(this.sql, key)
  }

  async list(filter: ListFilter): Promise<StoredRecord[]> {
    const where: string[] = []
    const params: (string | number)[] = []
    for (const column of ['type', 'workspace', 'name', 'owner'] as const) {
      const value = filter[column]
      if (value === undefined) continue
      params.push(value)
      where.push(`${column} = $${params.length}`)
    }
    if (filter.after) {
      params.push(filter.after.workspace, filter.after.type, filter.after.name)
      where.push(`(workspace, type, name) > ($${params.length - 2}, $${params.length - 1}, $${params.length})`)
    }
    params.push(filter.limit)
    const rows = await this.sql.unsafe(
      `SELECT * FROM resources ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY workspace, type, name LIMIT $${params.length}`,
      params,
    )
    return rows.map((r) => toRecord(r as Row))
  }

  async count(filter: {type?: string} = {}): Promise<number> {
    const [row] =
      filter.type === undefined
        ? await this.sql`SELECT count(*) AS n FROM resources`
        : await this.sql`SELECT count(*) AS n FROM resources WHERE type = ${filter.type}`
    return num(row!.n)
  }

  putSpec(write: SpecWrite, options: PutSpecOptions): Promise<PutSpecResult> {
    return this.write(async (tx) => {
      const {key} = write
      const current = await this.current(tx, key, true)
      const conflict = staleVersion(current, options.ifResourceVersion, key)
      if (conflict) throw conflict
      const outcome = applyOutcome(current, write)
      if (current && outcome === 'unchanged') return {result: 'unchanged' as const, record: current}
      const changed = specChanged(current, write)
      const rv = await this.nextResourceVersion(tx)
      const now = new Date().toISOString()
      const manifest = JSON.stringify(write.manifest)
      const sealed = write.sealed?.ciphertext ?? null
      const digest = write.sealed?.digest ?? null
      if (!current)
        await tx`INSERT INTO resources (workspace, type, name, version, owner, uid, manifest, sealed, sealed_digest, status,
            generation, resource_version, created_at, updated_at)
          VALUES (${key.workspace}, ${key.type}, ${key.name}, ${write.version}, ${write.owner}, ${randomUUID()}, ${manifest},
            ${sealed}, ${digest}, ${JSON.stringify(options.initialStatus)}, 1, ${rv}, ${now}, ${now})`
      else
        await tx`UPDATE resources SET version = ${write.version}, owner = ${write.owner}, manifest = ${manifest},
            sealed = ${sealed}, sealed_digest = ${digest}, generation = generation + ${changed ? 1 : 0},
            resource_version = ${rv}, updated_at = ${changed ? now : current.updatedAt}
          WHERE workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name}`
      const result = current ? ('updated' as const) : ('created' as const)
      if (options.event && changed) await this.insertEvent(tx, key, options.event(result))
      const record = (await this.current(tx, key))!
      if (options.revision && changed) await this.keepRevision(tx, record, options.revision)
      return {result, record, ...(current ? {previous: current} : {})}
    })
  }

  private async keepRevision(
    tx: Tx,
    record: StoredRecord,
    revision: NonNullable<PutSpecOptions['revision']>,
  ): Promise<void> {
    const {workspace, type, name} = record.key
    const [top] =
      await tx`SELECT coalesce(max(revision), 0) AS n FROM revisions WHERE workspace = ${workspace} AND type = ${type} AND name = ${name}`
    const newest = num(top!.n)
    const [same] =
      await tx`SELECT revision FROM revisions WHERE workspace = ${workspace} AND type = ${type} AND name = ${name} AND template = ${revision.template}`
    const manifest = JSON.stringify(record.manifest)
    const sealed = record.sealed?.ciphertext ?? null
    const digest = record.sealed?.digest ?? null
    if (same && num(same.revision) === newest) {
      // The same template again (a replica count changed): the newest revision's spec follows.
      await tx`UPDATE revisions SET generation = ${record.generation}, version = ${record.version}, manifest = ${manifest},
          sealed = ${sealed}, sealed_digest = ${digest}
        WHERE workspace = ${workspace} AND type = ${type} AND name = ${name} AND revision = ${newest}`
      return
    }
    if (same)
      await tx`DELETE FROM revisions WHERE workspace = ${workspace} AND type = ${type} AND name = ${name} AND revision = ${num(same.revision)}`
    await tx`INSERT INTO revisions (workspace, type, name, revision, template, generation, version, manifest, sealed,
        sealed_digest, cause, created_at)
      VALUES (${workspace}, ${type}, ${name}, ${newest + 1}, ${revision.template}, ${record.generation}, ${record.version},
        ${manifest}, ${sealed}, ${digest}, ${revision.cause}, ${new Date().toISOString()})`
    await tx`DELETE FROM revisions WHERE workspace = ${workspace} AND type = ${type} AND name = ${name} AND revision <= (
        SELECT revision FROM revisions WHERE workspace = ${workspace} AND type = ${type} AND name = ${name}
        ORDER BY revision DESC LIMIT 1 OFFSET ${Math.max(1, revision.keep)})`
  }

  async revisions(key: ResourceKey): Promise<RevisionRecord[]> {
    const rows = await this
      .sql`SELECT * FROM revisions WHERE workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name} ORDER BY revision`
    return rows.map((r) => ({
      revision: num(r.revision),
      template: String(r.template),
      generation: num(r.generation),
      version: String(r.version),
      manifest: JSON.parse(String(r.manifest)) as Json,
      ...(r.sealed ? {sealed: {ciphertext: String(r.sealed), digest: String(r.sealed_digest)}} : {}),
      cause: String(r.cause),
      createdAt: String(r.created_at),
    }))
  }

  putStatus(
    key: ResourceKey,
    status: ResourceStatus,
    options: {ifResourceVersion?: number} = {},
  ): Promise<StoredRecord> {
    return this.write(async (tx) => {
      const current = await this.current(tx, key, true)
      if (!current) throw new StoreNotFoundError(`${key.type} ${key.name} does not exist`)
      const conflict = staleVersion(current, options.ifResourceVersion, key)
      if (conflict) throw conflict
      const rv = await this.nextResourceVersion(tx)
      await tx`UPDATE resources SET status = ${JSON.stringify(status)}, resource_version = ${rv}
        WHERE workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name}`
      return {...current, status, resourceVersion: rv}
    })
  }

  delete(key: ResourceKey, options: {ifResourceVersion?: number} = {}): Promise<StoredRecord | undefined> {
    return this.write(async (tx) => {
      const current = await this.current(tx, key, true)
      if (!current) return undefined
      const conflict = staleVersion(current, options.ifResourceVersion, key)
      if (conflict) throw conflict
      const at = [key.workspace, key.type, key.name] as const
      await tx`DELETE FROM resources WHERE workspace = ${at[0]} AND type = ${at[1]} AND name = ${at[2]}`
      await tx`DELETE FROM events WHERE workspace = ${at[0]} AND type = ${at[1]} AND name = ${at[2]}`
      await tx`DELETE FROM revisions WHERE workspace = ${at[0]} AND type = ${at[1]} AND name = ${at[2]}`
      await this.nextResourceVersion(tx)
      return current
    })
  }

  private async insertEvent(tx: Tx, key: ResourceKey, event: NewEvent): Promise<void> {
    const {workspace, type, name} = key
    // A similar event already kept is counted and moved to the end with the latest message.
    const rows =
      await tx`SELECT id, message, count, time, first_time FROM events WHERE workspace = ${workspace} AND type = ${type}
        AND name = ${name} AND kind = ${event.type} AND reason = ${event.reason} ORDER BY id DESC`
    const similar = rows.find((r) => similarMessages(String(r.message), event.message))
    if (similar) await tx`DELETE FROM events WHERE id = ${similar.id as string}`
    await tx`INSERT INTO events (workspace, type, name, time, kind, reason, message, count, first_time)
      VALUES (${workspace}, ${type}, ${name}, ${new Date().toISOString()}, ${event.type}, ${event.reason}, ${event.message},
        ${similar ? num(similar.count) + 1 : 1}, ${similar ? String(similar.first_time ?? similar.time) : null})`
    await tx`DELETE FROM events WHERE workspace = ${workspace} AND type = ${type} AND name = ${name} AND id <= (
        SELECT id FROM events WHERE workspace = ${workspace} AND type = ${type} AND name = ${name}
        ORDER BY id DESC LIMIT 1 OFFSET ${this.eventsPerResource})`
  }

  addEvent(key: ResourceKey, event: NewEvent): Promise<void> {
    return this.write(async (tx) => {
      if (await this.current(tx, key)) await this.insertEvent(tx, key, event)
    })
  }

  async events(key: ResourceKey, limit = this.eventsPerResource): Promise<ResourceEvent[]> {
    const rows = await this.sql`SELECT time, kind, reason, message, count, first_time FROM events
      WHERE workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name} ORDER BY id DESC LIMIT ${limit}`
    return [...rows].reverse().map((r) => ({
      time: String(r.time),
      type: r.kind as ResourceEvent['type'],
      reason: String(r.reason),
      message: String(r.message),
      ...(num(r.count) > 1 ? {count: num(r.count), firstTime: String(r.first_time)} : {}),
    }))
  }

  // ---- users and keys ----------------------------------------------------------------------

  async getUser(name: string): Promise<User | undefined> {
    const [row] = await this.sql`SELECT * FROM users WHERE name = ${name}`
    return row
      ? {name: String(row.name), admin: row.admin === true, grants: JSON.parse(String(row.grants)) as User['grants']}
      : undefined
  }

  async listUsers(): Promise<(User & {keys: number})[]> {
    const rows = await this
      .sql`SELECT u.name, u.admin, u.grants, (SELECT count(*) FROM api_keys k WHERE k."user" = u.name) AS keys
      FROM users u ORDER BY u.name`
    return rows.map((row) => ({
      name: String(row.name),
      admin: row.admin === true,
      grants: JSON.parse(String(row.grants)) as User['grants'],
      keys: num(row.keys),
    }))
  }

  deleteUser(name: string): Promise<boolean> {
    return this.write(async (tx) => {
      await tx`DELETE FROM api_keys WHERE "user" = ${name}`
      return (await tx`DELETE FROM users WHERE name = ${name}`).count > 0
    })
  }

  deleteApiKeys(user: string, keep?: string): Promise<number> {
    return this.write(
      async (tx) => (await tx`DELETE FROM api_keys WHERE "user" = ${user} AND id != ${keep ?? ''}`).count,
    )
  }

  putUser(user: User): Promise<void> {
    return this.write(async (tx) => {
      await tx`INSERT INTO users (name, admin, grants) VALUES (${user.name}, ${user.admin}, ${JSON.stringify(user.grants)})
        ON CONFLICT (name) DO UPDATE SET admin = excluded.admin, grants = excluded.grants`
    })
  }

  addApiKey(key: ApiKeyRecord): Promise<void> {
    return this.write(async (tx) => {
      await tx`INSERT INTO api_keys (id, "user", name, hash, created_at)
        VALUES (${key.id}, ${key.user}, ${key.name}, ${key.hash}, ${key.createdAt})`
    })
  }

  async findApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const [row] = await this.sql`SELECT * FROM api_keys WHERE id = ${id}`
    return row
      ? {
          id: String(row.id),
          user: String(row.user),
          name: String(row.name),
          hash: Buffer.from(row.hash as Uint8Array),
          createdAt: String(row.created_at),
        }
      : undefined
  }

  async countUsers(): Promise<number> {
    const [row] = await this.sql`SELECT count(*) AS n FROM users`
    return num(row!.n)
  }

  /** "ok" when every resourceVersion is at most the counter's (what ordering relies on). */
  async check(): Promise<string> {
    const [row] = await this.sql`SELECT (SELECT value FROM counters WHERE name = 'resource_version') AS counter,
      (SELECT coalesce(max(resource_version), 0) FROM resources) AS newest`
    return num(row!.newest) <= num(row!.counter)
      ? 'ok'
      : `a resource is at resourceVersion ${String(row!.newest)}, past the counter (${String(row!.counter)})`
  }

  async close(): Promise<void> {
    if (this.closed) return
    // Whatever is queued is committed before the connections close.
    if (this.queue.length > 0) this.flushing = (this.flushing ?? Promise.resolve()).then(() => this.flush())
    this.closed = true
    await this.flushing
    await this.sql.end({timeout: 5})
  }
}
