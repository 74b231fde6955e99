// Where the local control plane keeps its files, shared by the server (which writes them) and
// the CLI (which reads them to find and authenticate to it). XDG base directories.
import {homedir} from 'node:os'
import {join} from 'node:path'

type Env = Readonly<Record<string, string | undefined>>

export const DEFAULT_PORT = 7424

export function dataDir(env: Env = process.env): string {
  return env.DROVER_DATA_DIR || defaultDataDir(env)
}

function defaultDataDir(env: Env): string {
  return join(env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share'), 'drover')
}

/**
 * The admin key file of a data folder: `local-admin.key` for the default one, and one named
 * after the folder for any other, so that a second control plane on another folder never
 * replaces the key of the first.
 */
function adminKeyFile(env: Env): string {
  const data = dataDir(env)
  if (data === defaultDataDir(env)) return join(configDir(env), 'local-admin.key')
  let hash = 0x811c9dc5 // FNV-1a: a stable short name, without loading node:crypto on start-up
  for (let i = 0; i < data.length; i++) hash = Math.imul(hash ^ data.charCodeAt(i), 0x01000193) >>> 0
  return join(configDir(env), `local-admin-${hash.toString(16).padStart(8, '0')}.key`)
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
  adminKey: adminKeyFile(env),
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
