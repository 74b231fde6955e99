// Typed HTTP client of the control plane. Requests are node:http with a keep-alive agent: a CLI
// makes one or two, and loading undici costs ~60 ms of start-up, more than the requests
// themselves. What streams (log -f) goes through undici, whose headers and body timeouts are
// what a follow needs (docs/decisions/0005-http-client.md).
import type {Agent, ClientRequest, IncomingMessage, RequestOptions} from 'node:http'
import type {Dispatcher} from 'undici'
import {paths, query} from '../api/paths.js'
import type {
  ApplyRequest,
  ApplyResponse,
  CreateUserRequest,
  ListQuery,
  CreateUserResponse,
  DeleteResponse,
  ErrorBody,
  EventsResponse,
  ListResponse,
  LogsQuery,
  ResourceObject,
  RevisionsResponse,
  RotateKeyResponse,
  RuntimeView,
  UndoResponse,
  UsersResponse,
  WhoAmI,
  WorkerAction,
  WorkerActionResponse,
} from '../api/types.js'
import {ClientApiError, ClientTransportError} from './errors.js'

export interface ClientOptions {
  url: string
  apiKey?: string
  /** Per request, from connect to the last byte. */
  timeoutMs?: number
  userAgent?: string
}

export interface RefQuery {
  type: string
  name: string
  workspace?: string
}

const TRANSPORT_MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'timed out',
}

interface Transport {
  agent: Agent
  request: (url: URL, options: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest
}

/** undici's errors as the node:net ones TRANSPORT_MESSAGES knows (the cause carries those). */
function undiciError(error: unknown): NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException & {cause?: NodeJS.ErrnoException}
  if (e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT')
    return Object.assign(new Error('timed out'), {code: 'ETIMEDOUT'})
  if (e.code === 'UND_ERR_SOCKET') return Object.assign(new Error(e.message), {code: 'ECONNRESET'})
  return e.cause?.code ? e.cause : e
}

export class DroverClient {
  private readonly base: URL
  private transport?: Transport
  private streaming?: Dispatcher

  constructor(private readonly options: ClientOptions) {
    this.base = new URL(options.url)
  }

  /** node:https (and TLS) is loaded only for https URLs: it costs ~15 ms of start-up. */
  private async connection(): Promise<Transport> {
    if (!this.transport) {
      const mod = this.base.protocol === 'https:' ? await import('node:https') : await import('node:http')
      this.transport = {agent: new mod.Agent({keepAlive: true}), request: mod.request}
    }
    return this.transport
  }

  get url(): string {
    return this.options.url
  }

  async request<T>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    const {status, text} = await this.exchange(method, path, {body, timeoutMs})
    try {
      return (text ? JSON.parse(text) : undefined) as T
    } catch {
      throw new ClientTransportError(`the server answered ${status} with a body that is not JSON`, this.options.url)
    }
  }

  /**
   * The one way a request is made. The timeout runs from connect to the last byte; with
   * `onText` the body is handed over as it arrives and the timeout ends with the response
   * headers (a followed log may stay quiet for hours). `signal` ends the request: a streamed one
   * resolves with what came, any other rejects.
   */
  private async exchange(
    method: string,
    path: string,
    options: {body?: unknown; onText?: (text: string) => void; signal?: AbortSignal; timeoutMs?: number} = {},
  ): Promise<{status: number; text: string}> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body))
    const {agent, request: send} = await this.connection()
    const {onText, signal} = options
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new ClientTransportError('cancelled', this.options.url))
      const headers = {
        ...this.headers(),
        ...(payload ? {'content-type': 'application/json', 'content-length': String(payload.length)} : {}),
      }
      const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 30_000
      const req = send(new URL(path, this.base), {method, agent, headers}, (res: IncomingMessage) => {
        const status = res.statusCode ?? 0
        const ok = status >= 200 && status < 300
        const chunks: Buffer[] = []
        if (ok && onText) {
          clearTimeout(timer)
          res.setEncoding('utf8')
          res.on('data', (text: string) => onText(text))
        } else res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', (e) =>
          reject(new ClientTransportError(`reading the response failed: ${e.message}`, this.options.url)),
        )
        res.on('end', () => {
          clearTimeout(timer)
          const text = Buffer.concat(chunks).toString('utf8')
          if (!ok) reject(this.apiError(status, text, res.statusMessage))
          else resolve({status, text})
        })
      })
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('timed out'), {code: 'ETIMEDOUT'})), timeoutMs)
      const abort = () => {
        clearTimeout(timer)
        req.destroy()
        if (onText) resolve({status: 200, text: ''})
        else reject(new ClientTransportError('cancelled', this.options.url))
      }
      signal?.addEventListener('abort', abort, {once: true})
      req.on('close', () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', abort)
      })
      req.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        if (!signal?.aborted) reject(this.transportError(e))
      })
      req.end(payload)
    })
  }

  private transportError(e: NodeJS.ErrnoException): ClientTransportError {
    const reason = (e.code && TRANSPORT_MESSAGES[e.code]) ?? e.message
    return new ClientTransportError(
      `cannot reach the control plane at ${this.options.url}: ${reason}`,
      this.options.url,
      e.code,
    )
  }

  apply(body: ApplyRequest): Promise<ApplyResponse> {
    return this.request('POST', paths.apply, body)
  }

  list(q: ListQuery): Promise<ListResponse> {
    return this.request('GET', `${paths.resources}${query({...q})}`)
  }

  /** Every page of a listing. */
  async listAll(q: Omit<ListQuery, 'continue'>): Promise<ResourceObject[]> {
    const items: ResourceObject[] = []
    let token: string | undefined
    do {
      const page = await this.list({...q, limit: q.limit ?? 1000, ...(token ? {continue: token} : {})})
      items.push(...page.items)
      token = page.continue
    } while (token)
    return items
  }

  get(ref: RefQuery, unSanitize = false): Promise<ResourceObject> {
    return this.request('GET', `${paths.resource(ref.type, ref.name)}${query({workspace: ref.workspace, unSanitize})}`)
  }

  /** With wait, the answer comes once the worker's replicas have stopped (at most `waitMs`). */
  delete(ref: RefQuery, options: {force?: boolean; waitMs?: number} = {}): Promise<DeleteResponse> {
    const wait = options.waitMs === undefined ? undefined : Math.ceil(options.waitMs / 1000)
    return this.request(
      'DELETE',
      `${paths.resource(ref.type, ref.name)}${query({workspace: ref.workspace, force: options.force, waitSeconds: wait})}`,
      undefined,
      options.waitMs === undefined ? undefined : options.waitMs + (this.options.timeoutMs ?? 30_000),
    )
  }

  /** scale (with replicas), stop, start or restart a worker. */
  workerAction(ref: RefQuery, action: WorkerAction, body: {replicas?: number} = {}): Promise<WorkerActionResponse> {
    return this.request(
      'POST',
      `${paths.action(ref.type, ref.name, action)}${query({workspace: ref.workspace})}`,
      action === 'scale' ? body : {},
    )
  }

  revisions(ref: RefQuery): Promise<RevisionsResponse> {
    return this.request('GET', `${paths.revisions(ref.type, ref.name)}${query({workspace: ref.workspace})}`)
  }

  undo(ref: RefQuery, toRevision?: number): Promise<UndoResponse> {
    return this.request(
      'POST',
      `${paths.undo(ref.type, ref.name)}${query({workspace: ref.workspace})}`,
      toRevision === undefined ? {} : {toRevision},
    )
  }

  runtime(ref: RefQuery): Promise<RuntimeView> {
    return this.request('GET', `${paths.runtime(ref.type, ref.name)}${query({workspace: ref.workspace})}`)
  }

  /**
   * Log lines of a worker's replicas. With follow, `onText` gets the text as it arrives until
   * `signal` aborts or the server ends the stream.
   */
  async logs(ref: RefQuery, options: LogsQuery, onText: (text: string) => void, signal?: AbortSignal): Promise<void> {
    const path = `${paths.logs(ref.type, ref.name)}${query({workspace: ref.workspace, ...options})}`
    if (options.follow) await this.follow(path, onText, signal)
    else onText((await this.exchange('GET', path, {signal})).text)
  }

  /**
   * A response read as it arrives, through undici: the timeout covers connect and headers only
   * (a followed log may stay quiet for hours); `signal` ends it, resolving with what came.
   */
  private async follow(path: string, onText: (text: string) => void, signal?: AbortSignal): Promise<void> {
    // undici is CommonJS: its exports are the default export, in Node as in the bundle
    const {Agent, request} = (await import('undici')).default
    const timeoutMs = this.options.timeoutMs ?? 30_000
    this.streaming ??= new Agent({connect: {timeout: timeoutMs}, headersTimeout: timeoutMs, bodyTimeout: 0})
    if (signal?.aborted) return
    try {
      const response = await request(new URL(path, this.base), {
        method: 'GET',
        headers: this.headers(),
        dispatcher: this.streaming,
        ...(signal ? {signal} : {}),
      })
      if (response.statusCode < 200 || response.statusCode >= 300)
        throw this.apiError(response.statusCode, await response.body.text())
      response.body.setEncoding('utf8')
      for await (const text of response.body) onText(text as string)
    } catch (error) {
      if (signal?.aborted) return
      if (error instanceof ClientApiError) throw error
      throw this.transportError(undiciError(error))
    }
  }

  private headers(): Record<string, string> {
    return {
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'drover',
      ...(this.options.apiKey ? {authorization: `Bearer ${this.options.apiKey}`} : {}),
    }
  }

  private apiError(status: number, text: string, statusMessage?: string): ClientApiError {
    let error: ErrorBody | undefined
    try {
      error = JSON.parse(text) as ErrorBody
    } catch {
      error = undefined
    }
    return new ClientApiError(
      status,
      error && typeof error.code === 'string' && typeof error.message === 'string'
        ? {code: error.code, message: error.message, details: Array.isArray(error.details) ? error.details : []}
        : {
            code: status >= 500 ? 'Internal' : 'BadRequest',
            message: `the server answered ${status} ${statusMessage ?? ''}`.trim(),
            details: [],
          },
    )
  }

  events(ref: RefQuery): Promise<EventsResponse> {
    return this.request('GET', `${paths.events(ref.type, ref.name)}${query({workspace: ref.workspace})}`)
  }

  schema(type: string, version: string): Promise<Record<string, unknown>> {
    return this.request('GET', paths.schema(type, version))
  }

  whoami(): Promise<WhoAmI> {
    return this.request('GET', paths.whoami)
  }

  /** A one-time login path for the Operations page (drover dashboard). */
  loginToken(): Promise<{path: string; expiresAt: string}> {
    return this.request('POST', paths.loginTokens)
  }

  createUser(body: CreateUserRequest): Promise<CreateUserResponse> {
    return this.request('POST', paths.users, body)
  }

  listUsers(): Promise<UsersResponse> {
    return this.request('GET', paths.users)
  }

  deleteUser(name: string): Promise<{user: string}> {
    return this.request('DELETE', paths.user(name))
  }

  rotateKey(name: string): Promise<RotateKeyResponse> {
    return this.request('POST', paths.userKeys(name), {})
  }

  /** The control plane's liveness answer, with its version. */
  health(): Promise<{status: string; version?: string}> {
    return this.request('GET', paths.healthz)
  }

  close(): void {
    this.transport?.agent.destroy()
    this.streaming?.destroy().catch(() => {}) // nothing left to report: the command is done
  }
}
