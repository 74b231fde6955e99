// A client for the target control plane (context.ts), and the one place where client errors
// become CLI errors with exit codes.
import {ClientApiError, ClientTransportError} from '../client/errors.js'
import type {DroverClient} from '../client/client.js'
import {localFiles} from '../api/local.js'
import {resolveTarget, localAdminKey} from './context.js'
import {
  ConflictError,
  DroverError,
  EXIT,
  InvalidInputError,
  NotFoundError,
  UnreachableError,
  UsageError,
} from './errors.js'
import {parseDuration} from './output/units.js'
import type {Io} from './io.js'
import {runningServer, startDetached} from './local-server.js'
import {packageVersion} from '../lib/package-root.js'

type Env = Readonly<Record<string, string | undefined>>

async function connect(io: Io, env: Env = process.env): Promise<DroverClient> {
  const {DroverClient} = await import('../client/client.js')
  const userAgent = `drover/${packageVersion()}`
  const timeoutMs = requestTimeout(env)
  const target = resolveTarget(env)
  if (target.kind === 'remote') return new DroverClient({url: target.url, apiKey: target.apiKey, userAgent, timeoutMs})
  let state = runningServer(env)
  if (!state) {
    state = await startDetached([], env)
    io.note(
      `drover: started the local control plane at ${state.url} (pid ${state.pid}; logs: ${localFiles(env).log}; stop it with: drover server stop)`,
    )
  }
  const apiKey = localAdminKey(env)
  if (!apiKey)
    throw new InvalidInputError(`no API key for the local control plane at ${localFiles(env).adminKey}`, {
      hint: 'restart it: drover server stop, then any command',
    })
  return new DroverClient({url: state.url, apiKey, userAgent, timeoutMs})
}

/** DROVER_REQUEST_TIMEOUT (kubectl's --request-timeout): how long one request may take, 30s by default. */
function requestTimeout(env: Env): number {
  const text = env.DROVER_REQUEST_TIMEOUT
  if (text === undefined || text === '') return 30_000
  const ms = parseDuration(text)
  if (ms === undefined || ms <= 0)
    throw new UsageError(`DROVER_REQUEST_TIMEOUT=${JSON.stringify(text)}: a duration such as 30s, 2m or 500ms`)
  return ms
}

/** The CLI error for a client error: exit codes from the documented table. */
export function cliError(error: unknown): unknown {
  if (error instanceof ClientTransportError) {
    return new UnreachableError(
      error.message,
      'start it (drover server start) or check where the CLI points: drover context list',
    )
  }
  if (!(error instanceof ClientApiError)) return error
  const {body} = error
  const details = body.details.map((d) => d.message)
  switch (body.code) {
    case 'NotFound':
      return new NotFoundError(body.message)
    case 'Conflict':
      return new ConflictError(body.message)
    case 'Unauthorized':
      return new InvalidInputError(body.message, {
        code: 'Unauthorized',
        hint: 'check the API key of the current context (drover context list) or DROVER_APIKEY',
      })
    case 'Forbidden':
      return new InvalidInputError(body.message, {code: 'Forbidden'})
    case 'Unavailable':
      return new DroverError(body.message, {exitCode: EXIT.unreachable, code: 'Unavailable'})
    default:
      return new InvalidInputError(details.length ? `${body.message}: ${details.join('; ')}` : body.message, {
        code: body.code,
        details: body.details,
      })
  }
}

/** Runs `fn` with a connected client, closes it, and turns client errors into CLI errors. */
export async function withClient<T>(
  io: Io,
  fn: (client: DroverClient) => Promise<T>,
  env: Env = process.env,
): Promise<T> {
  let client: DroverClient | undefined
  try {
    client = await connect(io, env)
    return await fn(client)
  } catch (error) {
    throw cliError(error)
  } finally {
    client?.close()
  }
}
