// `drover server start|stop|status`: the local control plane process.
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {createInterface} from 'node:readline'
import {type ServerState, localFiles} from '../../api/local.js'
import {paths} from '../../api/paths.js'
import type {ControlPlanesStatus} from '../../api/types.js'
import {localAdminKey, resolveTarget} from '../context.js'
import {type RenderTable, smallTable} from '../output/small-table.js'
import {age} from '../../api/columns.js'
import {redactUrl} from '../../lib/redact-url.js'
import {EXIT, InvalidInputError, UnreachableError} from '../errors.js'
import {seconds} from '../flags-parse.js'
import type {Io, Outcome} from '../io.js'
import {runningServer, serverEnv, serverMainPath, startDetached, stopServer} from '../local-server.js'

export interface StartFlags {
  detach: boolean
  host?: string
  port?: string
  'data-dir'?: string
  'log-level'?: string
  config?: string
  'tls-cert'?: string
  'tls-key'?: string
  insecure?: boolean
  'single-tenant'?: boolean
  ha?: boolean
  store?: string
}

function serverArgs(flags: StartFlags): string[] {
  const args: string[] = []
  for (const name of ['host', 'port', 'data-dir', 'log-level', 'config', 'tls-cert', 'tls-key'] as const) {
    const value = flags[name]
    if (value !== undefined) args.push(`--${name}`, value)
  }
  for (const name of ['insecure', 'single-tenant', 'ha'] as const) if (flags[name]) args.push(`--${name}`)
  return args
}

/**
 * --data-dir given to the CLI moves the state files it looks at, too. --store goes to the server
 * in its environment, not on its command line, where every user's `ps` would show the password.
 */
const envFor = (flags: {'data-dir'?: string; store?: string}) => ({
  ...process.env,
  ...(flags['data-dir'] ? {DROVER_DATA_DIR: flags['data-dir']} : {}),
  ...(flags.store ? {DROVER_STORE: flags.store} : {}),
})

export async function serverStart(flags: StartFlags, io: Io): Promise<Outcome> {
  const env = envFor(flags)
  const running = runningServer(env)
  if (running) {
    if (!io.json) io.note(`the control plane is already running at ${running.url} (pid ${running.pid})`)
    return {data: {...running, started: false}, render: () => ''}
  }
  if (flags.detach) {
    const state = await startDetached(serverArgs(flags), env)
    const log = localFiles(env).log
    return {
      data: {...state, started: true, log},
      render: () => `control plane running at ${state.url} (pid ${state.pid}); logs: ${log}`,
    }
  }
  // Foreground: the server's logs on this terminal; Ctrl-C stops it gracefully.
  const child = spawn(process.execPath, [serverMainPath(), ...serverArgs(flags)], {
    stdio: 'inherit',
    env: serverEnv(env),
  })
  const forward = (signal: NodeJS.Signals) => child.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  const code = await new Promise<number>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 0 : 1))))
  return {data: undefined, render: () => '', exitCode: code === 0 ? EXIT.ok : EXIT.invalid}
}

export async function serverStop(
  flags: {'data-dir'?: string; timeout?: string; force: boolean; 'stop-workers'?: boolean},
  io: Io,
): Promise<Outcome> {
  const timeout = seconds(flags.timeout, 30, '--timeout')
  const running = runningServer(envFor(flags))
  if (!running) {
    if (!io.json) io.note('the control plane is not running')
    return {data: {stopped: false}, render: () => ''}
  }
  const outcome = await stopServer(running, timeout * 1000, flags.force, flags['stop-workers'] ? 'SIGUSR2' : 'SIGTERM')
  if (outcome === 'timeout') {
    throw new InvalidInputError(`the control plane (pid ${running.pid}) did not stop within ${timeout} s`, {
      hint: 'drover server stop --force sends SIGKILL',
    })
  }
  return {
    data: {stopped: true, pid: running.pid, how: outcome},
    render: () => `control plane stopped (pid ${running.pid}${outcome === 'killed' ? ', killed' : ''})`,
  }
}

/**
 * The local control plane (or, when the CLI points at a remote one and no --data-dir is given,
 * that one): whether it answers /readyz, and the control planes sharing its store, which one
 * leads the scheduler, since when, under which lease epoch.
 */
export async function serverStatus(flags: {'data-dir'?: string}, io: Io): Promise<Outcome> {
  const env = envFor(flags)
  const target = flags['data-dir'] ? undefined : resolveTarget(env)
  const running: ServerState | undefined = target?.kind === 'remote' ? undefined : runningServer(env)
  if (!running && target?.kind !== 'remote')
    throw new UnreachableError(
      'the local control plane is not running',
      'start it: drover server start --detach (or run any command)',
    )
  const url = running?.url ?? (target as {url: string}).url
  const apiKey = running ? localAdminKey(env) : (target as {apiKey?: string}).apiKey
  const {DroverClient} = await import('../../client/client.js')
  const client = new DroverClient({url, timeoutMs: 5000, ...(apiKey ? {apiKey} : {})})
  const ready = await client.request('GET', paths.readyz).then(
    () => true,
    () => false,
  )
  const planes = await client.request<ControlPlanesStatus>('GET', paths.controlPlanes).catch(() => undefined)
  client.close()
  if (!running && !ready && !planes)
    throw new UnreachableError(
      `the control plane at ${url} does not answer`,
      'check where the CLI points: drover context list',
    )
  const table = planes && planes.store !== 'sqlite' ? await smallTable() : undefined
  const shared = table ? `\n\n${renderPlanes(planes!, table)}` : ''
  if (!io.json && !ready)
    io.note(`${running ? 'the process runs but' : `the control plane at ${url}`} does not answer /readyz`)
  if (!running) {
    const data = {url, ready, ...(planes ? {controlPlanes: planes} : {})}
    return {
      data,
      render: () => `${url} is ${ready ? 'ready' : 'not ready'}${shared}`,
      exitCode: ready ? EXIT.ok : EXIT.unreachable,
    }
  }
  const up = Math.round((Date.now() - Date.parse(running.startedAt)) / 1000)
  const data = {
    ...running,
    ready,
    uptimeSeconds: up,
    dataDir: localFiles(env).database.replace(/\/drover\.db$/, ''),
    ...(planes ? {controlPlanes: planes} : {}),
  }
  return {
    data,
    render: () =>
      `running at ${running.url} (pid ${running.pid}, version ${running.version}, up ${up}s, ${ready ? 'ready' : 'not ready'}); data: ${data.dataDir}${shared}`,
    exitCode: ready ? EXIT.ok : EXIT.unreachable,
  }
}

/** Every control plane of a shared store, and which one leads (a line for the lease, then a table). */
function renderPlanes(status: ControlPlanesStatus, table: RenderTable): string {
  const {lease} = status
  const holder = status.controlPlanes.find((p) => p.id === lease.holder)
  const leading =
    holder && (lease.remainingMs ?? 1) > 0
      ? `${holder.host} (${holder.url}) leads the scheduler since ${lease.since ?? '?'}, lease epoch ${lease.epoch}${
          lease.remainingMs === undefined ? '' : `, ${Math.max(0, Math.round(lease.remainingMs / 1000))}s left`
        }`
      : `no control plane leads the scheduler now (lease epoch ${lease.epoch}${lease.holder ? ', expired' : ''})`
  const rows = status.controlPlanes.map((p) => [
    `${p.host}${p.self ? ' (this one)' : ''}`,
    p.url,
    String(p.pid),
    p.version,
    p.leader ? 'leader' : 'follower',
    age(p.startedAt),
    `${age(p.lastSeen)} ago`,
  ])
  return `${status.highlyAvailable ? 'highly available: ' : ''}${leading}\n${table(
    ['CONTROL PLANE', 'URL', 'PID', 'VERSION', 'ROLE', 'AGE', 'LAST SEEN'],
    rows,
  )}`
}

export interface MigrateFlags {
  from?: string
  to?: string
  'data-dir'?: string
}

interface MigrationSummary {
  users: Record<'created' | 'updated' | 'unchanged', number>
  resources: Record<'created' | 'updated' | 'unchanged', number>
  types: Record<string, number>
  events: number
  revisions: number
}

/**
 * `drover server migrate`: copies a local SQLite store into PostgreSQL, through the server's own
 * code (dist/server/main.js migrate), the target URL in its environment rather than on its
 * command line. A progress bar on a terminal; run again, it copies only what differs.
 */
export async function serverMigrate(flags: MigrateFlags, io: Io): Promise<Outcome> {
  const env = envFor(flags)
  const given = flags.from ?? `sqlite://${localFiles(env).database}`
  const from = resolve(given.replace(/^sqlite:\/\//, ''))
  if (/^[a-z]+:\/\//i.test(given) && !given.startsWith('sqlite://'))
    throw new InvalidInputError(`--from ${JSON.stringify(given)}: a SQLite store, sqlite://PATH (or a path)`)
  if (!existsSync(from))
    throw new InvalidInputError(`--from: no SQLite store at ${from}`, {
      hint: 'the local store is drover.db in the data folder (--data-dir, DROVER_DATA_DIR)',
    })
  const to = flags.to ?? process.env.DROVER_STORE_URL
  if (!to || !/^postgres(ql)?:\/\//.test(to))
    throw new InvalidInputError(`--to ${to ? JSON.stringify(redactUrl(to)) : 'is missing'}: a postgres://… URL`, {
      hint: 'or DROVER_STORE_URL, which ps does not show',
    })
  // Writes made while it copies would be missing: the control plane of that store must not run.
  const running = runningServer({...env, DROVER_DATA_DIR: dirname(from)})
  if (running)
    throw new InvalidInputError(
      `the control plane (pid ${running.pid}) runs on ${from}: writes made while it copies would be missing`,
      {hint: 'stop it first: drover server stop'},
    )
  const bar = !io.json && process.stderr.isTTY ? progressBar() : undefined
  const child = spawn(process.execPath, [serverMainPath(), 'migrate', '--from', from], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {...serverEnv(env), DROVER_MIGRATE_TO: to},
  })
  let summary: MigrationSummary | undefined
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const lines = createInterface({input: child.stdout})
  lines.on('line', (line) => {
    const message = JSON.parse(line) as {done?: number; total?: number; summary?: MigrationSummary}
    if (message.summary) summary = message.summary
    else if (message.done !== undefined) bar?.(message.done, message.total ?? 0)
  })
  const code = await new Promise<number | null>((done) => child.on('close', done))
  if (bar) process.stderr.write('\n')
  if (code !== 0 || !summary)
    throw new InvalidInputError(
      stderr.trim().replace(/^drover server: /, '') || `the migration ended with code ${code}`,
    )
  const copied = summary
  const count = (c: MigrationSummary['users']) => `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`
  const types = Object.entries(copied.types)
    .map(([type, n]) => `${n} ${type}`)
    .join(', ')
  return {
    data: {from, to: redactUrl(to), ...copied},
    render: () =>
      [
        `copied ${from} to ${redactUrl(to)}`,
        `  users:     ${count(copied.users)}`,
        `  resources: ${count(copied.resources)}${types ? ` (${types})` : ''}`,
        `  with ${copied.events} events and ${copied.revisions} rollout revisions`,
        `Secret values were copied encrypted: start the control planes on PostgreSQL with the same key, ${localFiles(env).encryptionKey} (encryptionKeyFile).`,
      ].join('\n'),
  }
}

/** A progress bar on stderr, redrawn in place: `[########------------]  120/500`. */
function progressBar(): (done: number, total: number) => void {
  return (done, total) => {
    const width = 30
    const filled = total === 0 ? width : Math.round((done / total) * width)
    process.stderr.write(`\rcopying [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`)
  }
}
