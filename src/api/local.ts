// Where the local control plane keeps its files, shared by the server (which writes them) and
// the CLI (which reads them to find and authenticate to it). XDG base directories.
import {homedir} from 'node:os'
import {join} from 'node:path'

type Env = Readonly<Record<string, string | undefined>>

export const DEFAULT_PORT = 7424

export function dataDir(env: Env = process.env): string {
  return env.DROVER_DATA_DIR || join(env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share'), 'drover')
}

export function configDir(env: Env = process.env): string {
  return env.DROVER_CONFIG_DIR || join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'drover')
}

export const localFiles = (env: Env = process.env) => ({
  database: join(dataDir(env), 'drover.db'),
  /** Written by a running server: {pid, url, startedAt, version}. */
  state: join(dataDir(env), 'server.json'),
  pid: join(dataDir(env), 'server.pid'),
  log: join(dataDir(env), 'server.log'),
  /** The local admin's API key (0600), read by the CLI's default context. */
  adminKey: join(configDir(env), 'local-admin.key'),
  /** The key that encrypts secret values at rest (0600); kept out of the database. */
  encryptionKey: join(configDir(env), 'encryption.key'),
  contexts: join(configDir(env), 'contexts.json'),
  serverConfig: join(configDir(env), 'server.yaml'),
})

export interface ServerState {
  pid: number
  url: string
  startedAt: string
  version: string
}
