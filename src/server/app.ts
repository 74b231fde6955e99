// The Fastify app factory: routes, auth, error shape, request logs and metrics. It never
// listens (main.ts does), so tests build it with any store and call it with inject().
import {PassThrough} from 'node:stream'
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify'
import {paths} from '../api/paths.js'
import type {ApplyRequest, CreateUserRequest, CreateUserResponse, ListQuery, WhoAmI} from '../api/types.js'
import {findKind} from '../resources/registry.js'
import {type ResourceStore, StoreUnavailableError} from '../store/store.js'
import {Authenticator, type Caller} from './auth.js'
import {ApiError} from './errors.js'
import type {Metrics} from './metrics.js'
import {openApiDocument} from './openapi.js'
import type {ResourceService} from './resource-service.js'
import {ROUTES, type RouteSpec} from './routes/spec.js'

export interface AppDeps {
  store: ResourceStore
  service: ResourceService
  metrics: Metrics
  version: string
  /** pino options (and where lines go), or false for no logs (tests). */
  logger: false | {level: string; stream?: {write(line: string): void}}
  bodyLimit: number
  /** Deepest nesting of arrays and objects a JSON body may have. */
  maxBodyDepth?: number
  /** Why the control plane is not ready (starting, the store cannot write), or undefined when it is. */
  notReady: () => string | undefined
  /** Serve HTTPS with this certificate and key (PEM). */
  https?: {cert: Buffer; key: Buffer}
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller
  }
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>

const callerOf = (request: FastifyRequest): Caller => {
  if (!request.caller) throw new ApiError('Unauthorized', 'missing or invalid API key')
  return request.caller
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    ...(deps.https ? {https: deps.https} : {}),
    logger:
      deps.logger === false
        ? false
        : {
            level: deps.logger.level,
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            ...(deps.logger.stream ? {stream: deps.logger.stream} : {}),
          },
    // Fastify's own request lines are off: onResponse below writes one line per request.
    logController: new LogController({disableRequestLogging: true}),
    bodyLimit: deps.bodyLimit,
    // Our own ids in logs and error messages; never the client's.
    requestIdHeader: false,
    ajv: {customOptions: {allErrors: true, coerceTypes: 'array', removeAdditional: false}},
  })

  const {service, metrics} = deps
  const authenticator = new Authenticator(deps.store)
  const logRequests = deps.logger !== false && ['trace', 'debug', 'info'].includes(deps.logger.level)
  // JSON only: anything else is 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain')
  // Bounded work: a body nested deeper than a manifest may be (the reader allows 100 levels) is
  // refused before anything walks it recursively (validation, storage, the YAML printer of get).
  const maxDepth = deps.maxBodyDepth ?? 128
  app.addHook('preValidation', async (request) => {
    if (request.body !== undefined && depthOver(request.body, maxDepth))
      throw new ApiError('BadRequest', `the body nests deeper than ${maxDepth} levels`)
  })

  const handlers: Record<string, Handler> = {
    apply: async (request) => service.apply(callerOf(request), request.body as ApplyRequest),
    list: async (request) => service.list(callerOf(request), request.query as ListQuery),
    get: async (request) => {
      const {type, name} = request.params as {type: string; name: string}
      const q = request.query as {workspace?: string; unSanitize?: boolean}
      return service.get(callerOf(request), {type, name, workspace: q.workspace}, q.unSanitize === true)
    },
    delete: async (request) => {
      const {type, name} = request.params as {type: string; name: string}
      const q = request.query as {workspace?: string; force?: boolean; resourceVersion?: string}
      return service.delete(
        callerOf(request),
        {type, name, workspace: q.workspace},
        {force: q.force, resourceVersion: q.resourceVersion},
      )
    },
    runtime: async (request) => {
      const {type, name} = request.params as {type: string; name: string}
      return service.runtimeOf(callerOf(request), {
        type,
        name,
        workspace: (request.query as {workspace?: string}).workspace,
      })
    },
    logs: async (request, reply) => {
      const {type, name} = request.params as {type: string; name: string}
      const q = request.query as {
        workspace?: string
        tailLines?: number
        replica?: number
        previous?: boolean
        follow?: boolean
      }
      const caller = callerOf(request)
      const options = {
        type,
        name,
        workspace: q.workspace,
        tailLines: q.tailLines === undefined ? 300 : q.tailLines < 0 ? Number.MAX_SAFE_INTEGER : q.tailLines,
        replica: q.replica,
        previous: q.previous === true,
        follow: q.follow === true,
      }
      if (!options.follow) {
        const lines: string[] = []
        await service.logs(caller, options, (l) => lines.push(`[${l.replica}] ${l.line}\n`))
        reply.type('text/plain; charset=utf-8')
        return lines.join('')
      }
      // Follow: stream until the client goes away (permission and existence checked first).
      await service.checkLogs(caller, {type, name, workspace: q.workspace})
      const stream = new PassThrough()
      const controller = new AbortController()
      request.raw.on('close', () => controller.abort())
      reply.type('text/plain; charset=utf-8')
      service
        .logs(caller, options, (l) => stream.write(`[${l.replica}] ${l.line}\n`), controller.signal)
        .then(
          () => stream.end(),
          (error: unknown) => stream.destroy(error as Error),
        )
      return reply.send(stream)
    },
    events: async (request) => {
      const {type, name} = request.params as {type: string; name: string}
      return service.events(callerOf(request), {
        type,
        name,
        workspace: (request.query as {workspace?: string}).workspace,
      })
    },
    schema: async (request) => {
      const {type, version} = request.params as {type: string; version: string}
      const kind = findKind(type)
      if (!kind?.versions.includes(version)) throw new ApiError('NotFound', `no schema for ${type} ${version}`)
      const {jsonSchemaFor} = await import('../resources/json-schema.js')
      return jsonSchemaFor(type, version)
    },
    whoami: async (request): Promise<WhoAmI> => {
      const {user} = callerOf(request)
      return {user: user.name, admin: user.admin, grants: user.grants}
    },
    createUser: async (request): Promise<CreateUserResponse> => {
      const created = await service.createUser(callerOf(request), request.body as CreateUserRequest)
      authenticator.invalidate() // the user's permissions may have changed
      return created
    },
    openapi: async () => openApiDocument(deps.version),
    healthz: async () => ({status: 'ok'}),
    readyz: async () => {
      const why = deps.notReady()
      if (why) throw new ApiError('Unavailable', `not ready: ${why}`)
      return {status: 'ready'}
    },
    metrics: async (_request, reply) => {
      reply.type(metrics.contentType)
      return metrics.render()
    },
  }

  const register = (spec: RouteSpec) => {
    const handler = handlers[spec.id]!
    app.route({
      method: spec.method,
      url: spec.url,
      schema: {
        ...(spec.querystring ? {querystring: spec.querystring} : {}),
        ...(spec.body ? {body: spec.body} : {}),
        // Responses are serialized from their schemas: fast, and a field not in the contract never leaks.
        response: Object.fromEntries(
          Object.entries(spec.responses).flatMap(([status, r]) => (r.schema ? [[status, r.schema]] : [])),
        ),
      },
      ...(spec.auth
        ? {
            preHandler: async (request: FastifyRequest) => {
              request.caller = await authenticator.authenticate(request.headers.authorization)
            },
          }
        : {}),
      handler,
    })
  }
  ROUTES.forEach(register)

  app.setNotFoundHandler(async (request, reply) => {
    reply.status(404)
    return {code: 'NotFound', message: `no route ${request.method} ${request.url.split('?')[0]}`, details: []}
  })

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      reply.status(error.status)
      return error.body()
    }
    if (error instanceof StoreUnavailableError) {
      reply.status(507)
      return {
        code: 'InsufficientStorage',
        message: `${error.message}; reads still work, and writes resume by themselves once it can write again`,
        details: [],
      }
    }
    if (error.validation) {
      reply.status(400)
      return {
        code: 'BadRequest',
        message: `invalid request ${error.validationContext ?? ''}`.trim(),
        details: error.validation.map((v) => ({
          field: `${error.validationContext ?? ''}${v.instancePath.replaceAll('/', '.')}`,
          code: v.keyword,
          message: `${v.instancePath || error.validationContext || 'request'} ${v.message ?? ''}`.trim(),
        })),
      }
    }
    const known: Record<string, [number, string, string]> = {
      FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PayloadTooLarge', `the request body is larger than ${deps.bodyLimit} bytes`],
      FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UnsupportedMediaType', 'send the body as application/json'],
      FST_ERR_CTP_INVALID_JSON_BODY: [400, 'BadRequest', 'the body is not valid JSON'],
      FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'BadRequest', 'the body is empty; send a JSON object'],
      FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'BadRequest', 'Content-Length does not match the body'],
    }
    const mapped = known[error.code]
    if (mapped) {
      reply.status(mapped[0])
      return {code: mapped[1], message: mapped[2], details: []}
    }
    if (
      error instanceof SyntaxError ||
      (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500)
    ) {
      reply.status(400)
      return {code: 'BadRequest', message: 'the request could not be read', details: []}
    }
    request.log.error({err: error}, 'internal error')
    reply.status(500)
    return {code: 'Internal', message: `internal error (request ${request.id}); see the server log`, details: []}
  })

  // One structured line per request: never headers, never bodies, never the query string.
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown'
    const seconds = reply.elapsedTime / 1000
    metrics.httpRequests.inc({method: request.method, route, status: String(reply.statusCode)})
    metrics.httpDuration.observe({route}, seconds)
    if (route === paths.metrics || route === paths.healthz || route === paths.readyz || !logRequests) return
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        user: request.caller?.user.name,
      },
      'request',
    )
  })

  return app
}

/** Whether `value` nests arrays and objects deeper than `max` (iterative: no stack to overflow). */
function depthOver(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (depth > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
  }
  return false
}
