// Typed HTTP client of the control plane. Built on node:http with a keep-alive agent rather
// than undici: a CLI makes one or two requests, and loading undici costs ~60 ms of start-up,
// more than the requests themselves (docs/decisions/0005-http-client.md).
import type {Agent, IncomingMessage, RequestOptions, ClientRequest} from 'node:http'
import {paths, query} from '../api/paths.js'
import type {
  ApplyRequest, ApplyResponse, CreateUserRequest, CreateUserResponse, DeleteResponse, ErrorBody, EventsResponse, ListResponse,
  ResourceObject, WhoAmI,
} from '../api/types.js'
import {ClientApiError, ClientTransportError} from './errors.js'

export interface ClientOptions {
  url: string
  apiKey?: string
  /** Per request, from connect to the last byte. */
  timeoutMs?: number
  userAgent?: string
}

export interface ListQuery {
  type?: string
  workspace?: string
  name?: string
  owner?: string
  all?: boolean
  limit?: number
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
    const url = new URL(path, this.base)
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body))
    const {agent, request: send} = await this.connection()
    return new Promise<T>((resolve, reject) => {
      const req = send(
        url,
        {
          method,
          agent,
          headers: {
            accept: 'application/json',
            'user-agent': this.options.userAgent ?? 'drover',
            ...(this.options.apiKey ? {authorization: `Bearer ${this.options.apiKey}`} : {}),
            ...(payload ? {'content-type': 'application/json', 'content-length': payload.length} : {}),
          },
          timeout: this.options.timeoutMs ?? 30_000,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', (e) => reject(new ClientTransportError(`reading the response failed: ${e.message}`, this.options.url)))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            const status = res.statusCode ?? 0
            let parsed: unknown
            try {
              parsed = text ? JSON.parse(text) : undefined
            } catch {
              parsed = undefined
            }
            if (status >= 200 && status < 300) {
              if (parsed === undefined && text) return reject(new ClientTransportError(`the server answered ${status} with a body that is not JSON`, this.options.url))
              return resolve(parsed as T)
            }
            const error = parsed as ErrorBody | undefined
            reject(
              new ClientApiError(
                status,
                error && typeof error.code === 'string' && typeof error.message === 'string'
                  ? {code: error.code, message: error.message, details: Array.isArray(error.details) ? error.details : []}
                  : {code: status >= 500 ? 'Internal' : 'BadRequest', message: `the server answered ${status} ${res.statusMessage ?? ''}`.trim(), details: []},
              ),
            )
          })
        },
      )
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), {code: 'ETIMEDOUT'})))
      req.on('error', (e: NodeJS.ErrnoException) => {
        const reason = (e.code && TRANSPORT_MESSAGES[e.code]) ?? e.message
        reject(new ClientTransportError(`cannot reach the control plane at ${this.options.url}: ${reason}`, this.options.url, e.code))
      })
      req.end(payload)
    })
  }

  apply(body: ApplyRequest): Promise<ApplyResponse> {
    return this.request('POST', paths.apply, body)
  }

  list(q: ListQuery & {continue?: string}): Promise<ListResponse> {
    return this.request('GET', `${paths.resources}${query({...q})}`)
  }

  /** Every page of a listing. */
  async listAll(q: ListQuery): Promise<ResourceObject[]> {
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
    return this.request('DELETE', `${paths.resource(ref.type, ref.name)}${query({workspace: ref.workspace, force: options.force})}`)
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

  health(): Promise<{status: string}> {
    return this.request('GET', paths.healthz)
  }

  close(): void {
    this.transport?.agent.destroy()
  }
}
