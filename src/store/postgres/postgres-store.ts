// The PostgreSQL store (issue 11): the same port as the SQLite store, for control planes that
// share one database. Durability and ordering as SQLite's: a write is acknowledged once its
// transaction has committed; the writes that arrive in one turn of the event loop are committed
// together ("group commit"), each tried on a snapshot of its key so that one failing write (a
// 409) does not undo the others; resourceVersions come from a counter row updated inside the
// batch's transaction, so commits are ordered by version. A batch costs two round trips however
// many writes it holds: with BEGIN, its keys' locks are taken and their rows read at once; the
// writes are decided in memory against them (batch.ts); the counter, what changed (a statement
// per table) and COMMIT go back together, pipelined on a connection reserved for the batch.
// Batches on other keys read and decide while one commits (decision 0014). Events are never
// read by a write. Records read are cached (decision 0006) and invalidated by this store's own
// commits and by the change feed, which every commit writes (a `changes` row per key, in the
// same transaction): another control plane's write reaches the cache when pg_notify wakes the
// reader, or at its next poll.
// Driver: `postgres` (porsager), decision 0014.
import {createHash, randomUUID} from 'node:crypto'
import postgres from 'postgres'
import type {Json, ResourceEvent, ResourceStatus} from '../../resources/stored.js'
import {
  type ApiKeyRecord,
  type ControlPlaneRecord,
  type Fence,
  FencedError,
  type LeaseState,
  type LeaseStore,
  type ResourceCopy,
  type RestorableStore,
  type WriteOptions,
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
  similarityKey,
  specChanged,
  staleVersion,
} from '../store.js'
import {
  Batch,
  type BatchChanges,
  type EventWrite,
  type RevisionRow,
  keyId,
  offsetOf,
  provisional,
  settled,
} from './batch.js'
import {apiKeyFromRow, eventFromRow, recordFromRow, revisionFromRow, userFromRow} from '../rows.js'
import {PG_MIGRATIONS} from './migrations.js'
import {canonicalJson} from '../../lib/canonical-json.js'
import {redactUrl} from '../../lib/redact-url.js'

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
/** A transaction's connection: one of sql.begin, or one reserved for a batch. */
type Tx = postgres.TransactionSql | postgres.ReservedSql
type Row = Record<string, unknown>

/** A write of the queue: one of a resource, decided in memory, or one of another table, run as it is. */
type Pending = {resolve: (value: unknown) => void; reject: (error: unknown) => void} & (
  | {
      on: {key: ResourceKey; revisions?: boolean; epoch?: number | undefined}
      decide: (batch: Batch, now: string) => unknown
    }
  | {on?: undefined; run: (tx: Tx) => Promise<unknown>}
)

type Outcome = {ok: boolean; value: unknown}
/**
 * The keys a batch wrote (with what it stored, none when it deleted it) or found changed by
 * another control plane, and the resourceVersion that is as of.
 */
type Written = Map<string, {key: ResourceKey; record: StoredRecord | undefined; rv: number}>

/** Batches under way at once (each on a connection of its own). */
const MAX_BATCHES = 3

/** The advisory lock fenced writes share and a new leader takes alone to raise the epoch. */
const LEASE_LOCK = 0x6c656173 // "leas"

/** A key's advisory lock: 64 bits of its hash (two keys may share one: they then wait for each other). */
const keyLock = (key: ResourceKey) => createHash('sha1').update(keyId(key)).digest().readBigInt64BE(0)

/** The change feed's notification channel, and how many changes it keeps. */
const FEED = 'drover_changes'
const FEED_KEPT = 100_000
/** How often the feed is read without a notification (one lost while reconnecting, say). */
const FEED_POLL_MS = 1000
/**
 * A key's events past eventsPerResource are dropped every this many events a control plane adds
 * to it (a statement that reads the key's hundred, every time, cost as much as the write):
 * reads never give more than eventsPerResource, the table holds at most this many more per
 * key and control plane, and a repeat of one of those is still counted with it.
 */
const TRIM_EVERY = 16

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
const CACHE_MAX = 10_000

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

/**
 * Writes records as they are (created, or replacing the stored ones), each key once, at the
 * versions the batch took (its `taken` after the counter's value before: the counter is updated
 * first): one statement for a whole batch, its rows one JSON parameter (a statement per record
 * cost a round of Parse, Bind and a socket write each).
 */
const upsertRecords = (tx: Tx, records: StoredRecord[], taken: number) =>
  tx`INSERT INTO resources (workspace, type, name, version, owner, uid, manifest, sealed, sealed_digest, status,
      generation, resource_version, created_at, updated_at)
    SELECT workspace, type, name, version, owner, uid, manifest::text, sealed, sealed_digest, status::text, generation,
      (SELECT value FROM counters WHERE name = 'resource_version') - ${taken} + n, created_at, updated_at
    FROM json_to_recordset(${JSON.stringify(
      records.map((r) => ({
        workspace: r.key.workspace,
        type: r.key.type,
        name: r.key.name,
        version: r.version,
        owner: r.owner,
        uid: r.uid,
        // json, not text: kept as JSON.stringify writes it (json keeps its input text), and not
        // encoded twice
        manifest: r.manifest,
        sealed: r.sealed?.ciphertext ?? null,
        sealed_digest: r.sealed?.digest ?? null,
        status: r.status,
        generation: r.generation,
        n: offsetOf(r.resourceVersion),
        created_at: r.createdAt,
        updated_at: r.updatedAt,
      })),
    )}::text::json) AS x(workspace text, type text, name text, version text, owner text, uid text, manifest json,
      sealed text, sealed_digest text, status json, generation bigint, n bigint, created_at text, updated_at text)
    ON CONFLICT (workspace, type, name) DO UPDATE SET version = excluded.version, owner = excluded.owner,
      uid = excluded.uid, manifest = excluded.manifest, sealed = excluded.sealed, sealed_digest = excluded.sealed_digest,
      status = excluded.status, generation = excluded.generation, resource_version = excluded.resource_version,
      created_at = excluded.created_at, updated_at = excluded.updated_at`

/** The keys as a table of (workspace, type, name), for `IN (SELECT * FROM …)` and joins. */
const keyTable = (tx: Tx, keys: ResourceKey[]) =>
  tx`unnest(${tx.array(keys.map((k) => k.workspace))}::text[], ${tx.array(keys.map((k) => k.type))}::text[],
    ${tx.array(keys.map((k) => k.name))}::text[]) AS k(workspace, type, name)`

/**
 * Adds events, at most one per key; a similar one already kept (same type and reason, and a
 * similar message: similarMessages, by its similarityKey) is counted and moved to the end with
 * the latest message, as the SQLite store does and Kubernetes counts repeats.
 */
const insertEvents = (tx: Tx, events: {key: ResourceKey; row: EventWrite}[]) =>
  tx`INSERT INTO events (workspace, type, name, time, kind, reason, message, similarity)
    SELECT workspace, type, name, time, kind, reason, message, similarity FROM json_to_recordset(${JSON.stringify(
      events.map(({key, row}, i) => ({i, ...key, ...row, similarity: similarityKey(row.message)})),
    )}::text::json) AS x(i integer, workspace text, type text, name text, time text, kind text, reason text, message text,
      similarity text) ORDER BY i
    ON CONFLICT (workspace, type, name, kind, reason, similarity) DO UPDATE SET id = nextval('events_id_seq'),
      time = excluded.time, message = excluded.message, count = events.count + 1,
      first_time = coalesce(events.first_time, events.time)`

/** Keeps specs in the rollout history: a new revision, or the newest one's spec replaced. */
const writeRevisions = (tx: Tx, written: BatchChanges['revisionsWritten']) =>
  tx`INSERT INTO revisions (workspace, type, name, revision, template, generation, version, manifest, sealed,
      sealed_digest, cause, created_at)
    SELECT workspace, type, name, revision, template, generation, version, manifest::text, sealed, sealed_digest, cause,
      created_at FROM json_to_recordset(${JSON.stringify(
        written.map(({key, row}) => ({
          workspace: key.workspace,
          type: key.type,
          name: key.name,
          revision: row.revision,
          template: row.template,
          generation: row.spec.generation,
          version: row.spec.version,
          manifest: row.spec.manifest,
          sealed: row.spec.sealed,
          sealed_digest: row.spec.sealedDigest,
          cause: row.cause,
          created_at: row.createdAt,
        })),
      )}::text::json) AS x(workspace text, type text, name text, revision integer, template text, generation bigint, version text,
      manifest json, sealed text, sealed_digest text, cause text, created_at text)
    ON CONFLICT (workspace, type, name, revision) DO UPDATE SET generation = excluded.generation,
      version = excluded.version, manifest = excluded.manifest, sealed = excluded.sealed,
      sealed_digest = excluded.sealed_digest`

/** Drops each key's events past the newest `keep` (by its index: a key's hundred, not the table). */
const trimEvents = (tx: Tx, keys: ResourceKey[], keep: number) =>
  tx`DELETE FROM events WHERE id = ANY(ARRAY(
      SELECT old.id FROM ${keyTable(tx, keys)} CROSS JOIN LATERAL (SELECT id FROM events
        WHERE workspace = k.workspace AND type = k.type AND name = k.name ORDER BY id DESC OFFSET ${keep}) old))`

export class PostgresStore implements ResourceStore, LeaseStore, RestorableStore {
  private readonly sql: Sql
  private readonly eventsPerResource: number
  private queue: Pending[] = []
  /** Batches under way; at most one reads and decides, the one before it may still be committing. */
  private readonly inflight = new Set<Promise<void>>()
  private deciding = false
  private flushScheduled = false
  private closed = false
  /** Who this store is in the change feed: it skips its own changes (its cache has them). */
  private readonly origin = randomUUID()
  /** The newest resourceVersion this store knows was taken. */
  private lastVersion = 0
  /** Events this store added to a key since it last dropped the key's oldest. */
  private readonly untrimmed = new Map<string, number>()
  /** Number of transactions and of writes in them, for /metrics. */
  readonly stats = {commits: 0, writes: 0}
  /** Why the store cannot write now (its last write failed for the database), or undefined. */
  unwritable: string | undefined

  /** Records read since their last change, frozen; at most CACHE_MAX. */
  private readonly cache = new Map<string, StoredRecord>()
  /** Invalidations per key, and of everything: a read that raced one does not fill the cache. */
  private readonly invalidations = new Map<string, number>()
  /** Lists read since their type last changed (stacks and computes are listed at every reconcile). */
  private readonly lists = new Map<string, {type: string | undefined; records: StoredRecord[]}>()
  private cleared = 0
  /** The newest change of the feed this store has applied. */
  private seen = 0
  private feedTimer?: NodeJS.Timeout
  private listening?: {unlisten(): Promise<void>}
  private reading: Promise<void> | undefined
  private readAgain = false
  /** Told of the writes of other control planes, read from the change feed. */
  private readonly watchers: ((key: ResourceKey) => void)[] = []

  private constructor(sql: Sql, eventsPerResource: number) {
    this.sql = sql
    this.eventsPerResource = eventsPerResource
  }

  private invalidate(id: string, type: string): void {
    this.cache.delete(id)
    this.invalidations.set(id, (this.invalidations.get(id) ?? 0) + 1)
    // Lists of that type, and lists of every type.
    this.invalidations.set(`list:${type}`, (this.invalidations.get(`list:${type}`) ?? 0) + 1)
    this.invalidations.set('list:', (this.invalidations.get('list:') ?? 0) + 1)
    for (const [filter, entry] of this.lists)
      if (entry.type === undefined || entry.type === type) this.lists.delete(filter)
  }

  private clearCache(): void {
    this.cache.clear()
    this.lists.clear()
    this.invalidations.clear()
    this.cleared++
  }

  /** Fills a cache entry only when nothing invalidated it since `before` (a read that raced a write). */
  private stamp(counter: string): [number, number | undefined] {
    return [this.cleared, this.invalidations.get(counter)]
  }

  private unchanged(counter: string, before: [number, number | undefined]): boolean {
    return !this.closed && this.cleared === before[0] && this.invalidations.get(counter) === before[1]
  }

  /** Follows the change feed: a notification wakes it, a poll catches what a reconnect lost. */
  private async follow(): Promise<void> {
    const [row] = await this.sql`SELECT value FROM counters WHERE name = 'resource_version'`
    this.seen = num(row!.value)
    this.lastVersion = this.seen
    this.listening = await this.sql.listen(
      FEED,
      (origin) => this.readFeed(origin),
      () => this.readFeed(), // (re)subscribed: catch up
    )
    this.feedTimer = setInterval(() => this.readFeed(), FEED_POLL_MS)
    this.feedTimer.unref()
  }

  /**
   * Reads the changes after the newest seen, but for this store's own (its cache takes them
   * when their batch ends); for a notification of its own (`from`, its origin): nothing.
   */
  private readFeed(from?: string): void {
    if (this.closed || from === this.origin) return
    if (this.reading !== undefined) {
      this.readAgain = true
      return
    }
    this.reading = (async () => {
      const [changes, start] = await Promise.all([
        this.sql`SELECT rv, workspace, type, name, origin FROM changes WHERE rv > ${this.seen} ORDER BY rv`,
        this.sql`SELECT value FROM counters WHERE name = 'feed_start'`,
      ])
      // Fallen behind what the feed keeps: nothing cached can be trusted.
      if (this.seen < num(start[0]?.value ?? 0)) this.clearCache()
      for (const c of changes) {
        const id = keyId({workspace: String(c.workspace), type: String(c.type), name: String(c.name)})
        // This store's own commits are in the cache already, or will be when their batch ends.
        if (c.origin !== this.origin && (this.cache.get(id)?.resourceVersion ?? 0) < num(c.rv)) {
          this.invalidate(id, String(c.type))
          const key = {workspace: String(c.workspace), type: String(c.type), name: String(c.name)}
          for (const watcher of this.watchers) watcher(key)
        }
      }
      if (changes.length > 0) this.seen = Math.max(this.seen, num(changes.at(-1)!.rv))
    })()
      .catch(() => {
        // the database went away: the poll tries again; meanwhile nothing new is cached
        this.clearCache()
      })
      .finally(() => {
        this.reading = undefined
        if (this.readAgain) {
          this.readAgain = false
          this.readFeed()
        }
      })
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
      await store.follow()
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

  /** A write of users or keys, run in the batch's transaction as it is. */
  private write<T>(run: (tx: Tx) => Promise<T>): Promise<T> {
    return this.enqueue<T>({run})
  }

  /** A write of a resource, decided in memory against the batch's reading of its key. */
  private writeResource<T>(
    on: {key: ResourceKey; revisions?: boolean; epoch?: number | undefined},
    decide: (batch: Batch, now: string) => T,
  ): Promise<T> {
    return this.enqueue<T>({on, decide})
  }

  private enqueue<T>(
    item:
      | {
          on: {key: ResourceKey; revisions?: boolean; epoch?: number | undefined}
          decide: (batch: Batch, now: string) => unknown
        }
      | {run: (tx: Tx) => Promise<unknown>},
  ): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    return new Promise<T>((resolve, reject) => {
      this.queue.push({...item, resolve: resolve as (v: unknown) => void, reject} as Pending)
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      this.next()
    })
  }

  /**
   * Starts the next batch with what has queued, unless one is reading and deciding or
   * MAX_BATCHES are under way: a batch starts once the one before it has sent its writes and
   * COMMIT, so that it reads and decides while that one commits.
   */
  private next(): void {
    if (this.deciding || this.queue.length === 0 || this.inflight.size >= MAX_BATCHES) return
    const items = this.queue
    this.queue = []
    this.deciding = true
    let released = false
    const release = () => {
      if (released) return
      released = true
      this.deciding = false
      this.next()
    }
    const run: Promise<void> = this.flush(items, release).finally(() => {
      this.inflight.delete(run)
      release()
      this.next()
    })
    this.inflight.add(run)
  }

  private async flush(items: Pending[], committing: () => void = () => {}): Promise<void> {
    if (items.length === 0) return
    let outcomes: Outcome[]
    let written: Written
    let taken: {from: number; to: number} | undefined
    try {
      ;({outcomes, written, taken} = await this.pipelined((tx) => this.commit(tx, items, committing)))
    } catch (error) {
      const failure = databaseFailure(error)
      // The database refused one of them (none of the batch is stored): each alone, so that it fails alone.
      if (!failure && items.length > 1) {
        for (const item of items) await this.flush([item])
        return
      }
      if (failure) this.unwritable = failure
      for (const item of items) item.reject(failure ? new StoreUnavailableError(failure) : error)
      return
    }
    this.stats.commits++
    this.stats.writes += items.length
    this.unwritable = undefined
    // The batch held the counter from `from` to `to`: every change between is its own, so the
    // change feed need not be read for them (nor for their notification).
    if (taken && this.seen === taken.from) this.seen = taken.to
    // What this store committed is what a read would now give: cached as such (a copy, frozen).
    // A key the batch found changed by another control plane is dropped from the cache. A batch
    // may finish after the next one has (they overlap): what that one cached is newer, and stays.
    for (const [id, {key, record, rv}] of written) {
      if ((this.cache.get(id)?.resourceVersion ?? 0) > rv) continue
      this.invalidate(id, key.type)
      if (record && this.cache.size < CACHE_MAX) this.cache.set(id, deepFreeze(structuredClone(record)))
    }
    items.forEach((item, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) item.resolve(outcome.value)
      else item.reject(outcome.value)
    })
  }

  /**
   * One transaction on a connection reserved for it, its statements pipelined: `body` sends
   * BEGIN with its first round trip and COMMIT with its last (sql.begin waits for each alone,
   * two round trips more per batch). A statement that fails aborts the transaction: those after
   * it fail too and its COMMIT rolls back, and the ROLLBACK here ends it.
   */
  private async pipelined<T>(body: (tx: Tx) => Promise<T>): Promise<T> {
    const tx = await this.sql.reserve()
    try {
      return await body(tx)
    } catch (error) {
      await tx`ROLLBACK`.catch(() => undefined)
      throw error
    } finally {
      tx.release()
    }
  }

  /**
   * One transaction: the other tables' writes as they come, then the resources' in two round
   * trips. The first takes each key's lock (an advisory lock per key, in one order for every
   * batch: no deadlock) and reads; the second takes the counter (its lock held only from there
   * to COMMIT, a few hundred microseconds in the database), writes and commits. Batches on other
   * keys read and decide meanwhile; commits still follow resourceVersions.
   */
  private async commit(
    tx: Tx,
    items: Pending[],
    committing: () => void,
  ): Promise<{outcomes: Outcome[]; written: Written; taken?: {from: number; to: number}}> {
    const outcomes: Outcome[] = []
    const written: Written = new Map()
    const begin = tx`BEGIN`
    if (items.some((item) => !item.on)) {
      await begin
      for (const [i, item] of items.entries()) if (!item.on) outcomes[i] = {ok: true, value: await item.run(tx)}
    }
    let resources = items.flatMap((item, i) => (item.on ? [{item, i}] : []))
    if (resources.length === 0) {
      await Promise.all([begin, tx`COMMIT`])
      return {outcomes, written}
    }
    const keys = new Map<string, {key: ResourceKey; revisions: boolean}>()
    for (const {item} of resources) {
      const on = item.on!
      const k = keys.get(keyId(on.key))
      keys.set(keyId(on.key), {key: on.key, revisions: (k?.revisions ?? false) || on.revisions === true})
    }
    const all = [...keys.values()]
    const withRevisions = all.filter((k) => k.revisions)
    const locks = [...new Set(all.map((k) => keyLock(k.key)))].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
    // The cache as it is now; rows at another resourceVersion are read in full.
    const expected = all.map((k) => this.cache.get(keyId(k.key)))
    const fenced = resources.some(({item}) => item.on!.epoch !== undefined)
    // Round trip 1: the keys' locks; the lease's epoch when a write is fenced (under a shared
    // lock that a new leader takes alone to raise the epoch: acquireLease); each key's version,
    // and in full the rows the cache does not hold at theirs; revisions where a write needs them.
    const [, , , lease, versions, fresh, revisions] = await Promise.all([
      begin,
      tx`SELECT pg_advisory_xact_lock(l) FROM unnest(${tx.array(locks.map(String))}::bigint[]) AS l`,
      fenced ? tx`SELECT pg_advisory_xact_lock_shared(${LEASE_LOCK})` : [],
      fenced ? tx`SELECT epoch FROM leases WHERE name = 'scheduler'` : [],
      tx`SELECT workspace, type, name, resource_version FROM resources
        WHERE (workspace, type, name) IN (SELECT * FROM ${keyTable(
          tx,
          all.map((k) => k.key),
        )})`,
      tx`SELECT r.* FROM resources r JOIN unnest(${tx.array(all.map((k) => k.key.workspace))}::text[],
          ${tx.array(all.map((k) => k.key.type))}::text[], ${tx.array(all.map((k) => k.key.name))}::text[],
          ${tx.array(expected.map((r) => r?.resourceVersion ?? 0))}::bigint[]) AS k(workspace, type, name, rv)
        ON r.workspace = k.workspace AND r.type = k.type AND r.name = k.name WHERE r.resource_version <> k.rv`,
      withRevisions.length > 0
        ? tx`SELECT workspace, type, name, revision, template, cause, created_at FROM revisions
            WHERE (workspace, type, name) IN (SELECT * FROM ${keyTable(
              tx,
              withRevisions.map((k) => k.key),
            )}) ORDER BY revision`
        : [],
    ])
    // Fencing: the scheduler's writes carry their leader's epoch.
    if (fenced) {
      const current = num(lease[0]?.epoch ?? 0)
      resources = resources.filter(({item, i}) => {
        const epoch = item.on!.epoch
        if (epoch === undefined || epoch === current) return true
        outcomes[i] = {ok: false, value: new FencedError(epoch, current)}
        return false
      })
    }
    // A key's record: the row read, or the cached one when the row is at its resourceVersion;
    // none when there is no row. A cached record found stale is replaced or dropped.
    const records = new Map<string, StoredRecord>()
    for (const r of fresh) {
      const record = recordFromRow(r)
      records.set(keyId(record.key), record)
    }
    const present = new Set(versions.map((r) => keyId({workspace: r.workspace, type: r.type, name: r.name})))
    all.forEach(({key}, i) => {
      const id = keyId(key)
      const cached = expected[i]
      const read = records.get(id)
      if (read) {
        if (cached) written.set(id, {key, record: read, rv: read.resourceVersion})
      } else if (!present.has(id)) {
        if (cached) written.set(id, {key, record: undefined, rv: cached.resourceVersion})
      } else if (cached) records.set(id, cached)
    })
    const revisionRows = new Map<string, RevisionRow[]>()
    for (const r of revisions) {
      const id = keyId({workspace: String(r.workspace), type: String(r.type), name: String(r.name)})
      const list = revisionRows.get(id) ?? []
      list.push({
        revision: num(r.revision),
        template: String(r.template),
        cause: String(r.cause),
        createdAt: String(r.created_at),
      })
      revisionRows.set(id, list)
    }
    const batch = new Batch()
    for (const [id, k] of keys)
      batch.load(k.key, records.get(id), k.revisions ? (revisionRows.get(id) ?? []) : undefined)
    const now = new Date().toISOString()
    for (const {item, i} of resources) {
      try {
        outcomes[i] = {
          ok: true,
          value: batch.attempt(item.on!.key, () =>
            (item as {decide: (b: Batch, n: string) => unknown}).decide(batch, now),
          ),
        }
      } catch (error) {
        outcomes[i] = {ok: false, value: error}
      }
    }
    // Round trip 2: the counter first (its lock orders the commits), then what changed, a
    // statement per table, in an order that keeps every step valid, and COMMIT.
    const c = batch.changes()
    const writes: PromiseLike<unknown>[] = []
    const counter =
      c.taken > 0
        ? tx`UPDATE counters SET value = value + ${c.taken} WHERE name = 'resource_version' RETURNING value`
        : undefined
    if (counter) writes.push(counter)
    for (const {workspace, type, name} of c.cleared)
      for (const table of ['resources', 'events', 'revisions'])
        writes.push(tx`DELETE FROM ${tx(table)} WHERE workspace = ${workspace} AND type = ${type} AND name = ${name}`)
    if (c.records.length > 0) writes.push(upsertRecords(tx, c.records, c.taken))
    for (const {key: k, revision} of c.revisionsDropped)
      writes.push(
        tx`DELETE FROM revisions WHERE workspace = ${k.workspace} AND type = ${k.type} AND name = ${k.name} AND revision = ${revision}`,
      )
    if (c.revisionsWritten.length > 0) writes.push(writeRevisions(tx, c.revisionsWritten))
    if (c.eventsAdded.length > 0) {
      // A statement per round: the first event each key got, then the second, … (most batches: one).
      const rounds: {key: ResourceKey; row: EventWrite}[][] = []
      const added = new Map<string, {key: ResourceKey; count: number}>()
      for (const event of c.eventsAdded) {
        const id = keyId(event.key)
        const round = added.get(id)?.count ?? 0
        added.set(id, {key: event.key, count: round + 1})
        if (round === rounds.length) rounds.push([])
        rounds[round]!.push(event)
      }
      for (const round of rounds) writes.push(insertEvents(tx, round))
      // A key's oldest past the limit are dropped every TRIM_EVERY events added to it here.
      const trimmed: ResourceKey[] = []
      for (const [id, {key, count}] of added) {
        const untrimmed = (this.untrimmed.get(id) ?? 0) + count
        if (untrimmed < TRIM_EVERY) this.untrimmed.set(id, untrimmed)
        else {
          this.untrimmed.delete(id)
          trimmed.push(key)
        }
      }
      if (this.untrimmed.size > CACHE_MAX) this.untrimmed.clear()
      if (trimmed.length > 0) writes.push(trimEvents(tx, trimmed, this.eventsPerResource))
    }
    if (c.feed.length > 0) {
      writes.push(tx`INSERT INTO changes (rv, workspace, type, name, origin)
        SELECT (SELECT value FROM counters WHERE name = 'resource_version') - ${c.taken} + x.n, x.workspace, x.type,
          x.name, ${this.origin}
        FROM json_to_recordset(${JSON.stringify(c.feed.map((f) => ({...f, n: offsetOf(f.rv)})))}::text::json)
          AS x(n bigint, workspace text, type text, name text)`)
      // Only a wake-up: readers read the table (a notification is not kept while nobody listens).
      writes.push(tx`SELECT pg_notify(${FEED}, ${this.origin})`)
    }
    // The feed keeps the last FEED_KEPT changes (pruned about every thousand versions).
    if (c.taken > 0 && Math.floor((this.lastVersion + c.taken) / 1000) > Math.floor(this.lastVersion / 1000)) {
      writes.push(tx`DELETE FROM changes
        WHERE rv < (SELECT value FROM counters WHERE name = 'resource_version') - ${FEED_KEPT}`)
      writes.push(tx`UPDATE counters SET value = greatest(value,
        (SELECT value FROM counters WHERE name = 'resource_version') - ${FEED_KEPT}) WHERE name = 'feed_start'`)
    }
    writes.push(tx`COMMIT`)
    const done = Promise.all(writes)
    committing()
    await done
    // Committed: the versions are known, and every record the batch made takes its own.
    const to = counter ? num((await counter)[0]!.value) : undefined
    const from = to === undefined ? undefined : to - c.taken
    if (to !== undefined && from !== undefined) {
      this.lastVersion = Math.max(this.lastVersion, to)
      for (const record of batch.made) record.resourceVersion = settled(record.resourceVersion, from)
    }
    for (const f of c.feed) {
      const key = {workspace: f.workspace, type: f.type, name: f.name}
      written.set(keyId(key), {key, record: undefined, rv: settled(f.rv, from ?? 0)})
    }
    for (const r of c.records) written.set(keyId(r.key), {key: r.key, record: r, rv: r.resourceVersion})
    return {outcomes, written, ...(to !== undefined && from !== undefined ? {taken: {from, to}} : {})}
  }

  /** A write that changes nothing: succeeds only when the database takes writes again. */
  async probeWrite(): Promise<void> {
    // Alone, not in a batch: it takes no lock a batch waits for while holding another.
    try {
      await this.sql`UPDATE counters SET value = value WHERE name = 'feed_start'`
    } catch (error) {
      const failure = databaseFailure(error)
      if (failure) this.unwritable = failure
      throw failure ? new StoreUnavailableError(failure) : error
    }
    this.unwritable = undefined
  }

  // ---- resources ---------------------------------------------------------------------------

  private async current(tx: Tx | Sql, key: ResourceKey): Promise<StoredRecord | undefined> {
    const rows =
      await tx`SELECT * FROM resources WHERE workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name}`
    return rows[0] ? recordFromRow(rows[0]) : undefined
  }

  async get(key: ResourceKey): Promise<StoredRecord | undefined> {
    const id = keyId(key)
    const hit = this.cache.get(id)
    if (hit) return hit
    const before = this.stamp(id)
    const record = await this.current(this.sql, key)
    if (record && this.unchanged(id, before)) {
      if (this.cache.size >= CACHE_MAX) this.clearCache()
      this.cache.set(id, deepFreeze(record))
    }
    return record
  }

  async list(filter: ListFilter): Promise<StoredRecord[]> {
    const cacheKey = JSON.stringify(filter)
    const cached = this.lists.get(cacheKey)
    if (cached) return [...cached.records]
    const counter = `list:${filter.type ?? ''}`
    const before = this.stamp(counter)
    const records = await this.listRows(filter)
    if (this.unchanged(counter, before)) {
      if (this.lists.size >= 1000) this.lists.clear()
      this.lists.set(cacheKey, {type: filter.type, records: records.map((r) => deepFreeze(r))})
    }
    return records
  }

  private async listRows(filter: ListFilter): Promise<StoredRecord[]> {
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
    return rows.map((r) => recordFromRow(r as Row))
  }

  async count(filter: {type?: string} = {}): Promise<number> {
    const [row] =
      filter.type === undefined
        ? await this.sql`SELECT count(*) AS n FROM resources`
        : await this.sql`SELECT count(*) AS n FROM resources WHERE type = ${filter.type}`
    return num(row!.n)
  }

  putSpec(write: SpecWrite, options: PutSpecOptions): Promise<PutSpecResult> {
    const {key} = write
    const on = {key, revisions: options.revision !== undefined}
    return this.writeResource(on, (batch, now): PutSpecResult => {
      const current = batch.current(key)
      const conflict = staleVersion(current, options.ifResourceVersion, key)
      if (conflict) throw conflict
      const changed = specChanged(current, write)
      const outcome = applyOutcome(current, write, changed)
      if (current && outcome === 'unchanged') return {result: 'unchanged', record: current}
      const resourceVersion = batch.nextResourceVersion()
      // A copy, as a read would give: the caller's manifest stays the caller's.
      const manifest = JSON.parse(JSON.stringify(write.manifest)) as Json
      const sealed = write.sealed ? {sealed: {...write.sealed}} : {}
      const record: StoredRecord = current
        ? {
            key: current.key,
            version: write.version,
            owner: write.owner,
            uid: current.uid,
            manifest,
            ...sealed,
            status: current.status,
            generation: current.generation + (changed ? 1 : 0),
            resourceVersion,
            createdAt: current.createdAt,
            updatedAt: changed ? now : current.updatedAt,
          }
        : {
            key,
            version: write.version,
            owner: write.owner,
            uid: randomUUID(),
            manifest,
            ...sealed,
            status: options.initialStatus,
            generation: 1,
            resourceVersion,
            createdAt: now,
            updatedAt: now,
          }
      batch.put(record)
      const result = current ? 'updated' : 'created'
      if (options.event && changed) batch.addEvent(key, options.event(result), now)
      if (options.revision && changed) batch.keepRevision(record, options.revision, now)
      return {result, record, ...(current ? {previous: current} : {})}
    })
  }

  async revisions(key: ResourceKey): Promise<RevisionRecord[]> {
    const rows = await this
      .sql`SELECT * FROM revisions WHERE workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name} ORDER BY revision`
    return rows.map(revisionFromRow)
  }

  putStatus(key: ResourceKey, status: ResourceStatus, options: WriteOptions = {}): Promise<StoredRecord> {
    return this.writeResource({key, epoch: options.epoch}, (batch) => {
      const current = batch.current(key)
      if (!current) throw new StoreNotFoundError(`${key.type} ${key.name} does not exist`)
      const conflict = staleVersion(current, options.ifResourceVersion, key)
      if (conflict) throw conflict
      const record = {...current, status, resourceVersion: batch.nextResourceVersion()}
      batch.put(record)
      return record
    })
  }

  delete(key: ResourceKey, options: {ifResourceVersion?: number} = {}): Promise<StoredRecord | undefined> {
    return this.writeResource({key}, (batch) => {
      const current = batch.current(key)
      if (!current) return undefined
      const conflict = staleVersion(current, options.ifResourceVersion, key)
      if (conflict) throw conflict
      batch.remove(key, batch.nextResourceVersion())
      return current
    })
  }

  addEvent(key: ResourceKey, event: NewEvent, options: Fence = {}): Promise<void> {
    return this.writeResource({key, epoch: options.epoch}, (batch, now) => {
      if (batch.current(key)) batch.addEvent(key, event, now)
    })
  }

  async events(key: ResourceKey, limit = this.eventsPerResource): Promise<ResourceEvent[]> {
    const rows = await this.sql`SELECT time, kind, reason, message, count, first_time FROM events
      WHERE workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name} ORDER BY id DESC
      LIMIT ${Math.min(limit, this.eventsPerResource)}`
    return [...rows].reverse().map(eventFromRow)
  }

  /** Calls `listener` with each key another control plane writes (from the change feed). */
  onForeignChange(listener: (key: ResourceKey) => void): void {
    this.watchers.push(listener)
  }

  // ---- the scheduler's lease and the control planes (decision 0015) -------------------------
  // Every time here is the database's (now()), so that the control planes' clocks do not matter.

  async acquireLease(holder: string, ttlMs: number): Promise<number | undefined> {
    // Alone under the lock fenced writes share: none of the old epoch is under way, and none
    // starts until this commits.
    return this.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${LEASE_LOCK})`
      const [row] = await tx`UPDATE leases SET holder = ${holder}, epoch = epoch + 1, acquired_at = now(),
          expires_at = now() + ${ttlMs} * interval '1 millisecond'
        WHERE name = 'scheduler' AND (holder IS NULL OR expires_at IS NULL OR expires_at <= now())
        RETURNING epoch`
      return row ? num(row.epoch) : undefined
    })
  }

  async renewLease(holder: string, epoch: number, ttlMs: number): Promise<boolean> {
    const rows = await this.sql`UPDATE leases SET expires_at = now() + ${ttlMs} * interval '1 millisecond'
      WHERE name = 'scheduler' AND holder = ${holder} AND epoch = ${epoch} AND expires_at > now()`
    return rows.count === 1
  }

  async releaseLease(holder: string, epoch: number): Promise<void> {
    await this.sql`UPDATE leases SET holder = NULL, expires_at = NULL
      WHERE name = 'scheduler' AND holder = ${holder} AND epoch = ${epoch}`
  }

  async lease(): Promise<LeaseState> {
    const [row] = await this.sql`SELECT holder, epoch, acquired_at,
        (extract(epoch from (expires_at - now())) * 1000)::bigint AS remaining FROM leases WHERE name = 'scheduler'`
    if (!row) return {epoch: 0}
    return {
      epoch: num(row.epoch),
      ...(row.holder ? {holder: String(row.holder)} : {}),
      ...(row.holder && row.acquired_at ? {since: new Date(row.acquired_at as Date).toISOString()} : {}),
      ...(row.holder && row.remaining !== null ? {remainingMs: num(row.remaining)} : {}),
    }
  }

  async heartbeat(member: Omit<ControlPlaneRecord, 'lastSeen'>, forgetMs: number): Promise<void> {
    await this.sql`INSERT INTO control_planes (id, host, url, pid, version, started_at, last_seen)
      VALUES (${member.id}, ${member.host}, ${member.url}, ${member.pid}, ${member.version}, ${member.startedAt}, now())
      ON CONFLICT (id) DO UPDATE SET url = excluded.url, last_seen = now()`
    await this.sql`DELETE FROM control_planes WHERE last_seen < now() - ${forgetMs} * interval '1 millisecond'`
  }

  async leaveMembers(id: string): Promise<void> {
    await this.sql`DELETE FROM control_planes WHERE id = ${id}`
  }

  async members(): Promise<ControlPlaneRecord[]> {
    const rows = await this.sql`SELECT * FROM control_planes ORDER BY started_at, id`
    return rows.map((r) => ({
      id: String(r.id),
      host: String(r.host),
      url: String(r.url),
      pid: num(r.pid),
      version: String(r.version),
      startedAt: String(r.started_at),
      lastSeen: new Date(r.last_seen as Date).toISOString(),
    }))
  }

  // ---- users and keys ----------------------------------------------------------------------

  async getUser(name: string): Promise<User | undefined> {
    const [row] = await this.sql`SELECT * FROM users WHERE name = ${name}`
    return row ? userFromRow(row) : undefined
  }

  async listUsers(): Promise<(User & {keys: number})[]> {
    const rows = await this
      .sql`SELECT u.name, u.admin, u.grants, (SELECT count(*) FROM api_keys k WHERE k."user" = u.name) AS keys
      FROM users u ORDER BY u.name`
    return rows.map((row) => ({...userFromRow(row), keys: num(row.keys)}))
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
    return row ? apiKeyFromRow(row) : undefined
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return (await this.sql`SELECT * FROM api_keys ORDER BY id`).map(apiKeyFromRow)
  }

  // ---- copies from another store (drover server migrate) -----------------------------------

  async restoreResource(copy: ResourceCopy): Promise<'created' | 'updated' | 'unchanged'> {
    const {key} = copy.record
    const match = (tx: Tx) => tx`workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name}`
    const outcome = await this.sql.begin(async (tx) => {
      // The counter first, as every batch locks it: the copy is ordered with their commits.
      // The key's lock, then the counter's: the order of every batch (no deadlock).
      const [, counter, [row], events, revisions] = await Promise.all([
        tx`SELECT pg_advisory_xact_lock(${String(keyLock(key))}::bigint)`,
        tx`SELECT value FROM counters WHERE name = 'resource_version' FOR UPDATE`,
        tx`SELECT * FROM resources WHERE ${match(tx)} FOR UPDATE`,
        tx`SELECT time, kind, reason, message, count, first_time FROM events WHERE ${match(tx)} ORDER BY id`,
        tx`SELECT * FROM revisions WHERE ${match(tx)} ORDER BY revision`,
      ])
      const current = row ? recordFromRow(row) : undefined
      const same = (a: unknown, b: unknown) => canonicalJson(a as Json) === canonicalJson(b as Json)
      if (
        current &&
        same({...current, resourceVersion: 0}, {...copy.record, resourceVersion: 0}) &&
        same(events.map(eventFromRow), copy.events) &&
        same(revisions.map(revisionFromRow), copy.revisions)
      )
        return 'unchanged'
      const rv = num(counter[0]!.value) + 1
      await Promise.all([tx`DELETE FROM events WHERE ${match(tx)}`, tx`DELETE FROM revisions WHERE ${match(tx)}`])
      const writes: PromiseLike<unknown>[] = [
        tx`UPDATE counters SET value = ${rv} WHERE name = 'resource_version'`,
        upsertRecords(tx, [{...copy.record, resourceVersion: provisional(1)}], 1),
      ]
      for (const e of copy.events)
        writes.push(tx`INSERT INTO events (workspace, type, name, time, kind, reason, message, count, first_time, similarity)
          VALUES (${key.workspace}, ${key.type}, ${key.name}, ${e.time}, ${e.type}, ${e.reason}, ${e.message},
            ${e.count ?? 1}, ${e.firstTime ?? null}, ${similarityKey(e.message)})
          ON CONFLICT (workspace, type, name, kind, reason, similarity) DO UPDATE SET id = nextval('events_id_seq'),
            time = excluded.time, message = excluded.message, count = excluded.count, first_time = excluded.first_time`)
      for (const r of copy.revisions)
        writes.push(tx`INSERT INTO revisions (workspace, type, name, revision, template, generation, version, manifest, sealed,
            sealed_digest, cause, created_at)
          VALUES (${key.workspace}, ${key.type}, ${key.name}, ${r.revision}, ${r.template}, ${r.generation}, ${r.version},
            ${JSON.stringify(r.manifest)}, ${r.sealed?.ciphertext ?? null}, ${r.sealed?.digest ?? null}, ${r.cause}, ${r.createdAt})`)
      writes.push(
        tx`INSERT INTO changes (rv, workspace, type, name) VALUES (${rv}, ${key.workspace}, ${key.type}, ${key.name})`,
        tx`SELECT pg_notify(${FEED}, ${String(rv)})`,
      )
      await Promise.all(writes)
      return current ? 'updated' : 'created'
    })
    this.invalidate(keyId(key), key.type)
    return outcome
  }

  async restoreUser(user: User, keys: ApiKeyRecord[]): Promise<'created' | 'updated' | 'unchanged'> {
    return this.sql.begin(async (tx) => {
      const [row] = await tx`SELECT * FROM users WHERE name = ${user.name} FOR UPDATE`
      const have = new Map(
        (await tx`SELECT * FROM api_keys WHERE "user" = ${user.name}`).map((r) => {
          const k = apiKeyFromRow(r)
          return [k.id, `${k.name} ${k.hash.toString('hex')} ${k.createdAt}`]
        }),
      )
      const sameKeys = keys.every((k) => have.get(k.id) === `${k.name} ${k.hash.toString('hex')} ${k.createdAt}`)
      if (
        row &&
        canonicalJson(userFromRow(row) as unknown as Json) === canonicalJson(user as unknown as Json) &&
        sameKeys
      )
        return 'unchanged'
      await tx`INSERT INTO users (name, admin, grants) VALUES (${user.name}, ${user.admin}, ${JSON.stringify(user.grants)})
        ON CONFLICT (name) DO UPDATE SET admin = excluded.admin, grants = excluded.grants`
      for (const k of keys)
        await tx`INSERT INTO api_keys (id, "user", name, hash, created_at) VALUES (${k.id}, ${k.user}, ${k.name}, ${k.hash}, ${k.createdAt})
          ON CONFLICT (id) DO UPDATE SET "user" = excluded."user", name = excluded.name, hash = excluded.hash,
            created_at = excluded.created_at`
      return row ? 'updated' : 'created'
    })
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
    this.closed = true
    this.next()
    while (this.inflight.size > 0) await Promise.all([...this.inflight])
    clearInterval(this.feedTimer)
    await this.listening?.unlisten().catch(() => undefined)
    await this.reading
    await this.sql.end({timeout: 5})
  }
}
