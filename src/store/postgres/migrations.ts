// Schema migrations of the PostgreSQL store, applied in order at start under an advisory lock
// (several control planes may start at once), each in its own transaction. Append only: a
// released migration is never edited. Manifests and statuses are text, not jsonb: jsonb
// reorders keys, and a manifest is given back as it was applied. Keys sort bytewise (COLLATE
// "C"), as SQLite's do, whatever the database's locale: pages follow the same order.

export const PG_MIGRATIONS: readonly {version: number; sql: string}[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE resources (
        workspace text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        version text NOT NULL,
        owner text NOT NULL,
        uid text NOT NULL,
        manifest text NOT NULL,
        sealed text,
        sealed_digest text,
        status text NOT NULL,
        generation bigint NOT NULL,
        resource_version bigint NOT NULL,
        created_at text NOT NULL,
        updated_at text NOT NULL,
        PRIMARY KEY (workspace, type, name)
      );
      CREATE INDEX resources_by_type ON resources (type, workspace, name);
      CREATE TABLE events (
        id bigserial PRIMARY KEY,
        workspace text NOT NULL,
        type text NOT NULL,
        name text NOT NULL,
        time text NOT NULL,
        kind text NOT NULL,
        reason text NOT NULL,
        message text NOT NULL,
        count integer NOT NULL DEFAULT 1,
        first_time text
      );
      CREATE INDEX events_by_resource ON events (workspace, type, name, id);
      -- One row whose update orders the commits: a batch takes its resourceVersions from it
      -- inside its transaction, so a reader of rv > N never misses a commit (a sequence could).
      CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);
      INSERT INTO counters (name, value) VALUES ('resource_version', 0);
      CREATE TABLE users (name text COLLATE "C" PRIMARY KEY, admin boolean NOT NULL, grants text NOT NULL);
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        "user" text NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        name text NOT NULL,
        hash bytea NOT NULL,
        created_at text NOT NULL
      );
      CREATE TABLE revisions (
        workspace text NOT NULL,
        type text NOT NULL,
        name text NOT NULL,
        revision integer NOT NULL,
        template text NOT NULL,
        generation bigint NOT NULL,
        version text NOT NULL,
        manifest text NOT NULL,
        sealed text,
        sealed_digest text,
        cause text NOT NULL,
        created_at text NOT NULL,
        PRIMARY KEY (workspace, type, name, revision)
      );
    `,
  },
  {
    // The change feed: a row per resourceVersion taken (a resource written or deleted), written in
    // the same transaction; pg_notify only wakes the readers, who read this table (decision 0014).
    version: 2,
    sql: `
      CREATE TABLE changes (
        rv bigint PRIMARY KEY,
        workspace text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL
      );
      -- Rows below this resourceVersion were pruned: a reader that saw less drops its whole cache.
      INSERT INTO counters (name, value) VALUES ('feed_start', 0);
    `,
  },
  {
    // High availability (decision 0015): the scheduler's lease, one row, whose epoch fences the
    // scheduler's writes; and the control planes sharing the store, as each last said.
    version: 3,
    sql: `
      CREATE TABLE leases (
        name text PRIMARY KEY,
        holder text,
        epoch bigint NOT NULL,
        acquired_at timestamptz,
        expires_at timestamptz
      );
      INSERT INTO leases (name, epoch) VALUES ('scheduler', 0);
      CREATE TABLE control_planes (
        id text PRIMARY KEY,
        host text NOT NULL,
        url text NOT NULL,
        pid integer NOT NULL,
        version text NOT NULL,
        started_at text NOT NULL,
        last_seen timestamptz NOT NULL
      );
    `,
  },
  {
    // Batches that overlap (decision 0014), and events counted without reading a resource's
    // hundred. Similar messages share a key
    // (store.ts, similarityKey), written with each event, and no two similar events are kept, so
    // a repeat is an upsert on a unique index. The events stored before get theirs here, said in
    // SQL (of two similar ones, the older goes).
    version: 4,
    sql: `
      ALTER TABLE events ADD COLUMN similarity text;
      UPDATE events SET similarity = md5(CASE WHEN position(': ' in message) > 1
        THEN 's' || left(message, position(': ' in message) + 1)
          || regexp_replace(substr(message, position(': ' in message) + 2), '[0-9]+([.][0-9]+)?', '#', 'g')
        ELSE 'm' || message END);
      DELETE FROM events e USING events n WHERE n.workspace = e.workspace AND n.type = e.type AND n.name = e.name
        AND n.kind = e.kind AND n.reason = e.reason AND n.similarity = e.similarity AND n.id > e.id;
      ALTER TABLE events ALTER COLUMN similarity SET NOT NULL;
      CREATE UNIQUE INDEX events_similar ON events (workspace, type, name, kind, reason, similarity);
      -- Which control plane wrote a change: each skips its own (its cache has them already).
      ALTER TABLE changes ADD COLUMN origin text;
    `,
  },
  {
    // A batch sent in one round trip (decision 0014) checks that its rows are as it decided
    // them against; when one is not, this aborts its transaction with a code of its own, and
    // the store runs the batch again, reading the rows first. Resources and revisions are
    // rewritten at every apply: room left in their pages lets PostgreSQL update a row in place
    // without touching its indexes (a HOT update).
    version: 5,
    sql: `
      ALTER TABLE resources SET (fillfactor = 70);
      ALTER TABLE revisions SET (fillfactor = 70);
      CREATE FUNCTION drover_expect(ok boolean) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        IF ok IS NOT TRUE THEN
          RAISE EXCEPTION 'drover: rows changed since the batch was decided' USING ERRCODE = 'DRV01';
        END IF;
        RETURN true;
      END
      $$;
    `,
  },
]
