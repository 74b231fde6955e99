// A throwaway PostgreSQL cluster from the machine's binaries (Debian's postgresql package), for
// the tests (test/helpers/postgres.ts) and the benchmark (bench/postgres.mjs): initdb and pg_ctl
// in a folder of the caller's, as the postgres user when run as root (initdb refuses root), fsync
// on, listening only on a Unix socket in that folder. No vitest here: the benchmark imports it.
import {execFileSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'

export interface Cluster {
  url: string
  stop(): Promise<void>
}

/** The newest PostgreSQL's bin folder, or undefined when there is none. */
export function binaries(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(root, versions[0], 'bin') : undefined
}

/** Starts a cluster in `dir` (made by the caller, removed by stop()). */
export function startCluster(bin: string, dir: string): Cluster {
  chmodSync(dir, 0o700)
  const owner =
    process.getuid?.() === 0
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
