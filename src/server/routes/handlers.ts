// What each route of routes/spec.ts does: request in, service call, response out. Inputs
// arrive validated by the route's schemas; responses leave serialized by them (app.ts).
import {PassThrough} from 'node:stream'
import type {FastifyReply, FastifyRequest} from 'fastify'
import {
  type ApplyRequest,
  type CreateUserRequest,
  type ControlPlanesStatus,
  type CreateUserResponse,
  type ListQuery,
  type LogsQuery,
  WORKER_ACTIONS,
  type WhoAmI,
} from '../../api/types.js'
import {findKind} from '../../resources/registry.js'
import type {Caller} from '../auth.js'
import {ApiError} from '../errors.js'
import type {Metrics} from '../metrics.js'
import type {LogLine, LogOptions} from '../../runtime/runtime.js'
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

/** `sinceSeconds` or `sinceTime` (kubectl's names) as the time lines must be stamped at or after. */
function sinceOf(seconds: number | undefined, time: string | undefined): string | undefined {
  if (seconds !== undefined && time !== undefined)
    throw new ApiError('BadRequest', 'give sinceSeconds or sinceTime, not both')
  if (seconds !== undefined) return new Date(Date.now() - seconds * 1000).toISOString()
  if (time === undefined) return undefined
  const ms = Date.parse(time)
  if (Number.isNaN(ms)) throw new ApiError('BadRequest', `sinceTime ${JSON.stringify(time)} is not an RFC 3339 time`)
  return new Date(ms).toISOString()
}

/** The resource routes: apply, list, get, delete, events, runtime and logs. */
/**
 * `following` holds how to end each followed log (text or server-sent events) being streamed:
 * the app ends them all when it closes, or a follower would hold a graceful shutdown until its
 * deadline.
 */
export function resourceHandlers(
  service: ResourceService,
  following: Set<() => void> = new Set(),
): Record<string, Handler> {
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
    history: async (request) => service.history(callerOf(request), refOf(request)),
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
      const q = request.query as LogsQuery
      const caller = callerOf(request)
      const since = sinceOf(q.sinceSeconds, q.sinceTime)
      const options = {
        ...ref,
        tailLines: q.tailLines === undefined ? 300 : q.tailLines < 0 ? Number.MAX_SAFE_INTEGER : q.tailLines,
        replica: q.replica,
        previous: q.previous === true,
        follow: q.follow === true,
        ...(since ? {since} : {}),
        allRevisions: q.allRevisions === true,
      }
      // Server-sent events (the Operations page): each line an event whose id resumes after it.
      if (request.headers.accept?.includes('text/event-stream'))
        return streamEvents(request, reply, service, caller, {...options, follow: true}, following)
      const format = (l: LogLine) => `[${l.replica}] ${q.timestamps && l.time ? `${l.time} ` : ''}${l.line}\n`
      reply.type('text/plain; charset=utf-8')
      if (!options.follow) {
        const lines: string[] = []
        await service.logs(caller, options, (l) => lines.push(format(l)))
        return lines.join('')
      }
      // Follow: stream until the client goes away (permission and existence checked first).
      service.checkReplica(await service.checkLogs(caller, ref), options.replica)
      const stream = new PassThrough()
      const controller = new AbortController()
      const end = () => controller.abort()
      following.add(end)
      request.raw.on('close', end)
      service
        .logs(caller, options, (l) => stream.write(format(l)), controller.signal)
        .then(
          () => stream.end(),
          (error: unknown) => stream.destroy(error as Error),
        )
        .finally(() => following.delete(end))
      return reply.send(stream)
    },
  }
}

/**
 * A worker's log as server-sent events: `id: <time>|<n>` (the n-th line stamped at that time),
 * `data: {"replica", "time", "line"}`. A reconnecting EventSource sends the last id back
 * (Last-Event-ID): the stream resumes with the line after it. A comment every 15 s keeps
 * proxies from closing a quiet stream.
 */
async function streamEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  service: ResourceService,
  caller: Caller,
  options: LogOptions & {type: string; name: string; workspace?: string},
  following: Set<() => void>,
): Promise<FastifyReply> {
  service.checkReplica(await service.checkLogs(caller, options), options.replica)
  const resume = /^(.+)\|(\d+)$/.exec(String(request.headers['last-event-id'] ?? ''))
  const after = resume ? {time: resume[1]!, n: Number(resume[2])} : undefined
  reply.hijack()
  const out = reply.raw
  out.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  })
  out.write(': drover log stream\n\n')
  const controller = new AbortController()
  const keepAlive = setInterval(() => out.write(': keep-alive\n\n'), 15_000)
  const end = () => controller.abort()
  following.add(end)
  request.raw.on('close', end)
  let time: string | undefined
  let n = 0
  let skipped = 0
  const write = (l: LogLine) => {
    if (after && l.time === after.time && skipped < after.n) {
      skipped++
      return
    }
    if (l.time !== undefined && l.time === time) n++
    else {
      time = l.time
      n = 1
    }
    out.write(`${time === undefined ? '' : `id: ${time}|${n}\n`}data: ${JSON.stringify(l)}\n\n`)
  }
  const resumed = after ? {since: after.time, tailLines: Number.MAX_SAFE_INTEGER} : {}
  await service
    .logs(caller, {...options, ...resumed}, write, controller.signal)
    .catch((error: unknown) => {
      if (!controller.signal.aborted)
        out.write(`event: error\ndata: ${JSON.stringify({message: (error as Error).message})}\n\n`)
    })
    .finally(() => {
      following.delete(end)
      clearInterval(keepAlive)
      out.end()
    })
  return reply
}

/** The routes about the service itself: schemas, identity, users, health, metrics, OpenAPI. */
export function serviceHandlers(deps: {
  service: ResourceService
  metrics: Metrics
  version: string
  notReady: () => string | undefined
  /** Called when users or their grants change (the key cache must forget them). */
  usersChanged: () => void
  controlPlanes: () => Promise<ControlPlanesStatus>
  /** A one-time login path for the Operations page, for the caller's key. */
  loginToken: (caller: Caller) => {path: string; expiresAt: string}
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
    controlPlanes: async (request): Promise<ControlPlanesStatus> => {
      callerOf(request)
      return deps.controlPlanes()
    },
    loginToken: async (request) => deps.loginToken(callerOf(request)),
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
