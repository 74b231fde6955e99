// Schema migrations of the SQLite store, applied in order at open, each in its own transaction.
// Append only: a released migration is never edited.

export const MIGRATIONS: readonly {version: number; sql: string}[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE resources (
        workspace TEXT NOT NULL,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        owner TEXT NOT NULL,
        uid TEXT NOT NULL,
        manifest TEXT NOT NULL,
        sealed TEXT,
        sealed_digest TEXT,
        status TEXT NOT NULL,
        generation INTEGER NOT NULL,
        resource_version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (workspace, type, name)
      ) WITHOUT ROWID;
      CREATE INDEX resources_by_type ON resources (type, workspace, name);
      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        workspace TEXT NOT NULL,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        time TEXT NOT NULL,
        kind TEXT NOT NULL,
        reason TEXT NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX events_by_resource ON events (workspace, type, name, id);
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO counters (name, value) VALUES ('resource_version', 0);
      CREATE TABLE users (name TEXT PRIMARY KEY, admin INTEGER NOT NULL, grants TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        name TEXT NOT NULL,
        hash BLOB NOT NULL,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    // Events de-duplicated as Kubernetes does: a repeat of a similar event counts, rather than
    // filling the bounded history (a crash loop added two events per restart).
    version: 2,
    sql: `
      ALTER TABLE events ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE events ADD COLUMN first_time TEXT;
    `,
  },
  {
    // Rollout history (drover rollout history|undo): the specs a worker rolled out, by revision.
    version: 3,
    sql: `
      CREATE TABLE revisions (
        workspace TEXT NOT NULL,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        revision INTEGER NOT NULL,
        template TEXT NOT NULL,
        generation INTEGER NOT NULL,
        version TEXT NOT NULL,
        manifest TEXT NOT NULL,
        sealed TEXT,
        sealed_digest TEXT,
        cause TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (workspace, type, name, revision)
      ) WITHOUT ROWID;
    `,
  },
]
