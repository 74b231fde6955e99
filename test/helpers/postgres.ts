// A real PostgreSQL for the tests that need one: DROVER_TEST_PG_URL when set; otherwise a
// throwaway cluster from the machine's PostgreSQL binaries (Debian's postgresql package:
// initdb and pg_ctl, run as the postgres user when the tests run as root), listening only on a
// Unix socket in its own folder, stopped by stop() (and, if a test run dies, by the global
// teardown: its folder is in the run's). Without either, a plain `npm test` skips those
// tests with one loud line; under DROVER_REQUIRE_POSTGRES=1 (.ci/run) a missing PostgreSQL fails.
import {mkdtempSync} from 'node:fs'
import {join} from 'node:path'
import {type Cluster, binaries, startCluster} from './pg-cluster.js'
import {runDir} from './run-cli.js'

export type TestPostgres = Cluster

/** Whether a PostgreSQL can be had here (the URL, or the binaries). */
export const postgresAvailable = Boolean(process.env.DROVER_TEST_PG_URL) || binaries() !== undefined

if (!postgresAvailable) {
  if (process.env.DROVER_REQUIRE_POSTGRES === '1')
    throw new Error(
      'PostgreSQL is required (DROVER_REQUIRE_POSTGRES=1) but neither DROVER_TEST_PG_URL nor its binaries are here',
    )
  console.warn(
    '!!! PostgreSQL tests SKIPPED: no PostgreSQL here (apt-get install postgresql, or set DROVER_TEST_PG_URL)',
  )
}

/** A PostgreSQL to test against; stop() stops the one it started (a given URL stays up). */
export async function startPostgres(): Promise<TestPostgres> {
  const given = process.env.DROVER_TEST_PG_URL
  if (given) return {url: given, stop: async () => {}}
  const bin = binaries()
  if (!bin) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql')
  // In the run's folder (traversable by the postgres user), so that the global teardown finds it.
  return startCluster(bin, mkdtempSync(join(runDir(), 'pg-')))
}

/** A new, empty database on `pg` for one test file's control planes: its URL. */
export async function freshDatabase(pg: TestPostgres, prefix: string): Promise<string> {
  const {default: postgres} = await import('postgres')
  const url = new URL(pg.url)
  const socket = url.searchParams.get('host') ?? undefined
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  const admin = new URL(url)
  admin.searchParams.delete('host')
  const sql = postgres(admin.toString(), {...(socket ? {host: socket} : {}), max: 1, onnotice: () => {}})
  try {
    await sql.unsafe(`CREATE DATABASE ${name}`)
  } finally {
    await sql.end({timeout: 5})
  }
  url.pathname = `/${name}`
  return url.toString()
}
