// The Fastify app factory: the routes of routes/spec.ts with their handlers (routes/handlers.ts),
// auth, the error shape (error-reply.ts), request logs and metrics. It never listens (main.ts
// does), so tests build it with any store and call it with inject().
import Fastify, {type FastifyError, type FastifyInstance, type FastifyRequest, LogController} from 'fastify'
import {paths} from '../api/paths.js'
import type {ControlPlanesStatus} from '../api/types.js'
import type {ResourceStore} from '../store/store.js'
import {randomBytes} from 'node:crypto'
import {Authenticator} from './auth.js'
import {errorReply} from './error-reply.js'
import {ApiError} from './errors.js'
import type {Metrics} from './metrics.js'
import type {ResourceService} from './resource-service.js'
import {type Handler, resourceHandlers, serviceHandlers} from './routes/handlers.js'
import {ROUTES, type RouteSpec} from './routes/spec.js'
import {registerUi} from './ui/routes.js'
import {Sessions} from './ui/session.js'

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
  /** The control planes sharing the store (default: this one alone, leading). */
  controlPlanes?: () => Promise<ControlPlanesStatus>
  /** The key the Operations page's sessions are signed with (default: a random one, for tests). */
  sessionKey?: Buffer
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
  const sessions = new Sessions(deps.sessionKey ?? randomBytes(32), deps.store)
  // Followed logs end when the app closes (a graceful shutdown does not wait for their readers).
  const following = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const end of following) end()
  })
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
    ...resourceHandlers(service, following),
    ...serviceHandlers({
      service,
      metrics,
      version: deps.version,
      notReady: deps.notReady,
      usersChanged: () => authenticator.invalidate(),
      controlPlanes:
        deps.controlPlanes ??
        (async () => ({store: 'sqlite', highlyAvailable: false, controlPlanes: [], lease: {epoch: 0}})),
      loginToken: (caller) => {
        if (!caller.keyId) throw new ApiError('Forbidden', 'a login link is for a caller with an API key')
        const {token, expiresAt} = sessions.loginToken(caller.keyId, caller.user.name)
        return {path: `/ui/login?token=${token}`, expiresAt}
      },
    }),
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
              // The Operations page reads the API with its session cookie (EventSource cannot
              // send a header): reads only, so that a cookie never writes.
              if (request.headers.authorization === undefined && request.method === 'GET' && request.headers.cookie) {
                const caller = await sessions.caller(request.headers.cookie)
                if (!caller) throw new ApiError('Unauthorized', 'the session ended: log in again')
                request.caller = caller
                return
              }
              request.caller = await authenticator.authenticate(request.headers.authorization)
            },
          }
        : {}),
      handler,
    })
  }
  ROUTES.forEach(register)
  registerUi(app, {service, sessions, store: deps.store, secure: deps.https !== undefined})

  app.setNotFoundHandler(async (request, reply) => {
    reply.status(404)
    return {code: 'NotFound', message: `no route ${request.method} ${request.url.split('?')[0]}`, details: []}
  })

  app.setErrorHandler(async (error: FastifyError, request, reply) => errorReply(error, request, reply, deps.bodyLimit))

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
