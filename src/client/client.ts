// Typed HTTP client of the control plane. Built on node:http with a keep-alive agent rather
// than undici: a CLI makes one or two requests, and loading undici costs ~60 ms of start-up,
// more than the requests themselves (docs/decisions/0005-http-client.md).
import type {Agent, IncomingMessage, RequestOptions, ClientRequest} from 'node:http'
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
  ResourceObject,
  RuntimeView,
  WhoAmI,
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

export class DroverClient {
  private readonly base: URL
  private transport?: Transport

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

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const {agent, request: send} = await this.connection()
    return new Promise<T>((resolve, reject) => {
      const headers = {
        ...this.headers(),
        ...(payload ? {'content-type': 'application/json', 'content-length': String(payload.length)} : {}),
      }
      const req = send(
        new URL(path, this.base),
        {method, agent, headers, timeout: this.options.timeoutMs ?? 30_000},
        (res: IncomingMessage) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', (e) =>
            reject(new ClientTransportError(`reading the response failed: ${e.message}`, this.options.url)),
          )
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            const status = res.statusCode ?? 0
            if (status < 200 || status >= 300) return reject(this.apiError(status, text, res.statusMessage))
            try {
              resolve((text ? JSON.parse(text) : undefined) as T)
            } catch {
              reject(
                new ClientTransportError(
                  `the server answered ${status} with a body that is not JSON`,
                  this.options.url,
                ),
              )
            }
          })
        },
      )
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), {code: 'ETIMEDOUT'})))
      req.on('error', (e: NodeJS.ErrnoException) => reject(this.transportError(e)))
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

  delete(ref: RefQuery, options: {force?: boolean} = {}): Promise<DeleteResponse> {
    return this.request(
      'DELETE',
      `${paths.resource(ref.type, ref.name)}${query({workspace: ref.workspace, force: options.force})}`,
    )
  }

  runtime(ref: RefQuery): Promise<RuntimeView> {
    return this.request('GET', `${paths.runtime(ref.type, ref.name)}${query({workspace: ref.workspace})}`)
  }

  /**
   * Log lines of a worker's replicas. With follow, `onText` gets the text as it arrives until
   * `signal` aborts or the server ends the stream.
   */
  async logs(
    ref: RefQuery,
    options: {tailLines?: number; replica?: number; previous?: boolean; follow?: boolean},
    onText: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const path = `${paths.logs(ref.type, ref.name)}${query({workspace: ref.workspace, ...options})}`
    if (!options.follow) {
      onText(await this.requestText(path))
      return
    }
    const {agent, request: send} = await this.connection()
    await new Promise<void>((resolve, reject) => {
      const req = send(new URL(path, this.base), {method: 'GET', agent, headers: this.headers()}, (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () =>
            reject(this.apiError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), res.statusMessage)),
          )
          return
        }
        res.setEncoding('utf8')
        res.on('data', (text: string) => onText(text))
        res.on('end', () => resolve())
        res.on('error', () => resolve())
      })
      req.on('error', (e: NodeJS.ErrnoException) => (signal?.aborted ? resolve() : reject(this.transportError(e))))
      signal?.addEventListener(
        'abort',
        () => {
          req.destroy()
          resolve()
        },
        {once: true},
      )
      req.end()
    })
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

  private async requestText(path: string): Promise<string> {
    const {agent, request: send} = await this.connection()
    return new Promise<string>((resolve, reject) => {
      const req = send(
        new URL(path, this.base),
        {method: 'GET', agent, headers: this.headers(), timeout: this.options.timeoutMs ?? 30_000},
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            if ((res.statusCode ?? 0) >= 300) reject(this.apiError(res.statusCode ?? 0, text, res.statusMessage))
            else resolve(text)
          })
        },
      )
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), {code: 'ETIMEDOUT'})))
      req.on('error', (e: NodeJS.ErrnoException) => reject(this.transportError(e)))
      req.end()
    })
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

  createUser(body: CreateUserRequest): Promise<CreateUserResponse> {
    return this.request('POST', paths.users, body)
  }

  close(): void {
    this.transport?.agent.destroy()
  }
}
