// A real PostgreSQL for the tests that need one: DROVER_TEST_PG_URL when set; otherwise a
// throwaway cluster from the machine's PostgreSQL binaries (Debian's postgresql package:
// initdb and pg_ctl, run as the postgres user when the tests run as root), listening only on a
// Unix socket in its own folder, stopped by stop() (and, if a test run dies, by the global
// teardown: its folder is in the run's). Without either, a plain `npm test` skips those
// tests with one loud line; under DROVER_REQUIRE_POSTGRES=1 (.ci/run) a missing PostgreSQL fails.
import {execFileSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {runDir} from './run-cli.js'

export interface TestPostgres {
  url: string
  stop(): Promise<void>
}

function binaries(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(root, versions[0], 'bin') : undefined
}

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
  const dir = mkdtempSync(join(runDir(), 'pg-'))
  chmodSync(dir, 0o700)
  const asRoot = process.getuid?.() === 0
  // initdb refuses to run as root: as root, the cluster is the postgres user's.
  const owner = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'], {encoding: 'utf8'}).trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres'], {encoding: 'utf8'}).trim()),
      }
    : undefined
  if (owner) chownSync(dir, owner.uid, owner.gid)
  const run = (tool: string, args: string[]) =>
    execFileSync(join(bin, tool), args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: dir,
      ...(owner ?? {}),
      env: {PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8'},
    })
  const data = join(dir, 'data')
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
  const port = 5432
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-t',
    '30',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses='' -c max_connections=200`,
    'start',
  ])
  return {
    url: `postgres://postgres@localhost:${port}/postgres?host=${encodeURIComponent(dir)}`,
    stop: async () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    },
  }
}
