// What each route of routes/spec.ts does: request in, service call, response out. Inputs
// arrive validated by the route's schemas; responses leave serialized by them (app.ts).
import {PassThrough} from 'node:stream'
import type {FastifyReply, FastifyRequest} from 'fastify'
import {
  type ApplyRequest,
  type CreateUserRequest,
  type CreateUserResponse,
  type ListQuery,
  WORKER_ACTIONS,
  type WhoAmI,
} from '../../api/types.js'
import {findKind} from '../../resources/registry.js'
import type {Caller} from '../auth.js'
import {ApiError} from '../errors.js'
import type {Metrics} from '../metrics.js'
import {openApiDocument} from '../openapi.js'
import type {ResourceService} from '../resource-service.js'

export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller
  }
}

const callerOf = (request: FastifyRequest): Caller => {
  if (!request.caller) throw new ApiError('Unauthorized', 'missing or invalid API key')
  return request.caller
}

type Ref = {type: string; name: string}
const refOf = (request: FastifyRequest) => {
  const {type, name} = request.params as Ref
  return {type, name, workspace: (request.query as {workspace?: string}).workspace}
}

/** The resource routes: apply, list, get, delete, events, runtime and logs. */
export function resourceHandlers(service: ResourceService): Record<string, Handler> {
  return {
    apply: async (request) => service.apply(callerOf(request), request.body as ApplyRequest),
    list: async (request) => service.list(callerOf(request), request.query as ListQuery),
    get: async (request) =>
      service.get(callerOf(request), refOf(request), (request.query as {unSanitize?: boolean}).unSanitize === true),
    delete: async (request) => {
      const q = request.query as {force?: boolean; resourceVersion?: string; waitSeconds?: number}
      return service.delete(callerOf(request), refOf(request), {
        force: q.force,
        resourceVersion: q.resourceVersion,
        ...(q.waitSeconds === undefined ? {} : {waitMs: q.waitSeconds * 1000}),
      })
    },
    runtime: async (request) => service.runtimeOf(callerOf(request), refOf(request)),
    revisions: async (request) => service.revisions(callerOf(request), refOf(request)),
    undo: async (request) =>
      service.undo(callerOf(request), refOf(request), (request.body as {toRevision?: number} | undefined)?.toRevision),
    ...Object.fromEntries(
      WORKER_ACTIONS.map((action): [string, Handler] => [
        action,
        async (request) =>
          service.workerAction(callerOf(request), refOf(request), action, request.body as {replicas?: number}),
      ]),
    ),
    events: async (request) => service.events(callerOf(request), refOf(request)),
    logs: async (request, reply) => {
      const ref = refOf(request)
      const q = request.query as {tailLines?: number; replica?: number; previous?: boolean; follow?: boolean}
      const caller = callerOf(request)
      const options = {
        ...ref,
        tailLines: q.tailLines === undefined ? 300 : q.tailLines < 0 ? Number.MAX_SAFE_INTEGER : q.tailLines,
        replica: q.replica,
        previous: q.previous === true,
        follow: q.follow === true,
      }
      reply.type('text/plain; charset=utf-8')
      if (!options.follow) {
        const lines: string[] = []
        await service.logs(caller, options, (l) => lines.push(`[${l.replica}] ${l.line}\n`))
        return lines.join('')
      }
      // Follow: stream until the client goes away (permission and existence checked first).
      service.checkReplica(await service.checkLogs(caller, ref), options.replica)
      const stream = new PassThrough()
      const controller = new AbortController()
      request.raw.on('close', () => controller.abort())
      service
        .logs(caller, options, (l) => stream.write(`[${l.replica}] ${l.line}\n`), controller.signal)
        .then(
          () => stream.end(),
          (error: unknown) => stream.destroy(error as Error),
        )
      return reply.send(stream)
    },
  }
}

/** The routes about the service itself: schemas, identity, users, health, metrics, OpenAPI. */
export function serviceHandlers(deps: {
  service: ResourceService
  metrics: Metrics
  version: string
  notReady: () => string | undefined
  /** Called when users or their grants change (the key cache must forget them). */
  usersChanged: () => void
}): Record<string, Handler> {
  const {service, metrics} = deps
  return {
    schema: async (request) => {
      const {type, version} = request.params as {type: string; version: string}
      const kind = findKind(type)
      if (!kind?.versions.includes(version)) throw new ApiError('NotFound', `no schema for ${type} ${version}`)
      const {jsonSchemaFor} = await import('../../resources/json-schema.js')
      return jsonSchemaFor(type, version)
    },
    whoami: async (request): Promise<WhoAmI> => {
      const {user} = callerOf(request)
      return {user: user.name, admin: user.admin, grants: user.grants}
    },
    createUser: async (request): Promise<CreateUserResponse> => {
      const created = await service.createUser(callerOf(request), request.body as CreateUserRequest)
      deps.usersChanged()
      return created
    },
    listUsers: async (request) => service.listUsers(callerOf(request)),
    // Revocation is immediate: the key cache forgets before the answer leaves.
    deleteUser: async (request) => {
      const deleted = await service.deleteUser(callerOf(request), (request.params as {user: string}).user)
      deps.usersChanged()
      return deleted
    },
    rotateKey: async (request) => {
      const rotated = await service.rotateKey(callerOf(request), (request.params as {user: string}).user)
      deps.usersChanged()
      return rotated
    },
    openapi: async () => openApiDocument(deps.version),
    healthz: async () => ({status: 'ok', version: deps.version}),
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
}
