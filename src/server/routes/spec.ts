// Every route of the HTTP API with the JSON Schemas of its inputs and outputs. The app
// validates requests with these (Fastify/ajv) and the OpenAPI document is generated from them,
// so the description cannot drift from what the server does.
import {paths, routePatterns} from '../../api/paths.js'
import {ERROR_STATUS, WORKER_ACTIONS, type WorkerAction} from '../../api/types.js'
import {NAME_MAX_LENGTH, NAME_PATTERN} from '../../resources/names.js'

export type JsonSchema = Record<string, unknown>

export interface RouteSpec {
  id: string
  method: 'GET' | 'POST' | 'DELETE'
  url: string
  summary: string
  auth: boolean
  querystring?: JsonSchema
  body?: JsonSchema
  responses: Record<number, {description: string; schema?: JsonSchema}>
}

const str = (description: string, extra: JsonSchema = {}) => ({type: 'string', description, ...extra})
const bool = (description: string) => ({type: 'boolean', description})
/** A 200 response holding `items`, a list of `item`. */
const itemsOf = (description: string, item: JsonSchema) => ({
  description,
  schema: {type: 'object', required: ['items'], properties: {items: {type: 'array', items: item}}},
})

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['code', 'message', 'details'],
  properties: {
    code: {type: 'string', enum: Object.keys(ERROR_STATUS)},
    message: str('What went wrong, in one sentence.'),
    details: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          path: {type: 'array', items: {type: ['string', 'integer']}},
          field: str('Field path, e.g. worker.resources.limits.memory.'),
          code: str('Kind of problem (Required, UnknownField, InvalidValue, NotFound, …).'),
          message: str('The problem, with the field path.'),
        },
      },
    },
  },
}

const resourceSchema: JsonSchema = {
  type: 'object',
  required: ['manifest', 'metadata', 'status'],
  properties: {
    manifest: {
      type: 'object',
      description: 'The manifest as applied, defaults filled; secret values masked unless revealed.',
    },
    metadata: {
      type: 'object',
      required: ['id', 'uid', 'owner', 'resourceVersion', 'generation', 'createdAt', 'updatedAt'],
      properties: {
        id: str('type:version:name[:workspace]'),
        uid: str('Unique id of this incarnation of the resource.'),
        owner: str('Owner (a user name).'),
        workspace: str('Workspace; absent for instance-level types.'),
        resourceVersion: str('Changes on every write; send it back to apply only if nothing changed since.'),
        generation: {type: 'integer', description: 'Changes when the spec changes.'},
        createdAt: str('Creation time (RFC 3339).'),
        updatedAt: str('Time of the last spec change (RFC 3339).'),
      },
    },
    status: {type: 'object', description: 'Observed state, written by the control plane: phase, conditions, replicas.'},
  },
}

// Workspaces become folder names and uids on the runtime: the same rule as resource names.
const workspaceRule = {pattern: NAME_PATTERN, maxLength: NAME_MAX_LENGTH}
const workspaceQuery = {workspace: str('Workspace (default public); ignored for instance-level types.', workspaceRule)}
const errors = (...codes: (keyof typeof ERROR_STATUS)[]) =>
  Object.fromEntries(codes.map((c) => [ERROR_STATUS[c], {description: c, schema: errorSchema}]))
const common = errors('BadRequest', 'Unauthorized', 'Forbidden')

const ACTION_SUMMARY: Record<WorkerAction, string> = {
  scale:
    'Set a worker’s replicas (its stored manifest’s worker.replicas, as kubectl scale); refused for an autoscaled worker.',
  stop: 'Stop every replica of a worker and keep it, stopped, until start (an apply does not start it).',
  start: 'Start a stopped worker again with the replicas it asks for.',
  restart: 'Replace every replica, one at a time as in a rollout, without a change of manifest.',
}

/** POST …/scale, …/stop, …/start, …/restart: what users do to a worker without a manifest. */
const actionRoutes = (): RouteSpec[] =>
  WORKER_ACTIONS.map((action) => ({
    id: action,
    method: 'POST',
    url: routePatterns.action(action),
    summary: ACTION_SUMMARY[action],
    auth: true,
    querystring: {type: 'object', additionalProperties: false, properties: workspaceQuery},
    ...(action === 'scale'
      ? {
          body: {
            type: 'object',
            required: ['replicas'],
            additionalProperties: false,
            properties: {replicas: {type: 'integer', minimum: 0, description: 'Replicas wanted.'}},
          },
        }
      : {}),
    responses: {
      200: {
        description: 'What changed, and the worker.',
        schema: {
          type: 'object',
          required: ['action', 'result', 'changed', 'resource'],
          properties: {
            action: {type: 'string', enum: [...WORKER_ACTIONS]},
            result: str('What changed, in a few words.'),
            changed: bool('False when the worker already was as asked.'),
            resource: resourceSchema,
          },
        },
      },
      ...common,
      ...errors('NotFound', 'Invalid', 'Conflict'),
    },
  }))

const ROUTE_TABLE: RouteSpec[] = [
  {
    id: 'apply',
    method: 'POST',
    url: paths.apply,
    summary: 'Create or update a resource from its manifest (validated with the same model as the CLI).',
    auth: true,
    body: {
      type: 'object',
      required: ['manifest'],
      additionalProperties: false,
      properties: {
        manifest: {
          type: 'object',
          description: 'The manifest (name, version, type and its section), as parsed from YAML.',
        },
        workspace: str(
          'Target workspace for workspace-level types; a manifest’s own workspace must agree.',
          workspaceRule,
        ),
        resourceVersion: str(
          'Apply only if the resource is still at this resourceVersion ("0": only if it does not exist).',
        ),
        dryRun: bool('Validate and return the diff without storing.'),
      },
    },
    responses: {
      200: {
        description: 'Applied (or, with dryRun, what would be applied).',
        schema: {
          type: 'object',
          required: ['result', 'dryRun', 'resource', 'diff'],
          properties: {
            result: {type: 'string', enum: ['created', 'updated', 'unchanged']},
            dryRun: {type: 'boolean'},
            resource: resourceSchema,
            diff: {
              type: 'array',
              items: {
                type: 'object',
                required: ['op', 'path'],
                properties: {
                  op: {type: 'string', enum: ['add', 'remove', 'change']},
                  path: {type: 'string'},
                  from: {},
                  to: {},
                },
              },
            },
          },
        },
      },
      ...common,
      ...errors('Conflict', 'PayloadTooLarge', 'UnsupportedMediaType', 'Invalid'),
    },
  },
  {
    id: 'list',
    method: 'GET',
    url: paths.resources,
    summary: 'List resources: by default the caller’s own; all=true for every owner.',
    auth: true,
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        type: str('Only this type.'),
        workspace: str('Only this workspace.', workspaceRule),
        name: str('Only this name.'),
        owner: str('Only this owner (default: the caller).'),
        all: bool('Every owner.'),
        limit: {type: 'integer', minimum: 1, maximum: 1000, description: 'Page size (default 500).'},
        continue: str('Token from the previous page.'),
      },
    },
    responses: {
      200: {
        description: 'A page of resources.',
        schema: {
          type: 'object',
          required: ['items'],
          properties: {items: {type: 'array', items: resourceSchema}, continue: {type: 'string'}},
        },
      },
      ...common,
    },
  },
  {
    id: 'get',
    method: 'GET',
    url: routePatterns.resource,
    summary: 'Get one resource.',
    auth: true,
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...workspaceQuery,
        unSanitize: bool(
          'Include credentials (secret values, runAsApiKey) in clear: only for admins and the resource’s owner.',
        ),
      },
    },
    responses: {200: {description: 'The resource.', schema: resourceSchema}, ...common, ...errors('NotFound')},
  },
  {
    id: 'delete',
    method: 'DELETE',
    url: routePatterns.resource,
    summary: 'Delete a resource; refused while other resources use it, unless force.',
    auth: true,
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...workspaceQuery,
        force: bool('Delete even though workers still use it.'),
        resourceVersion: str('Delete only if the resource is still at this resourceVersion.'),
        waitSeconds: {
          type: 'integer',
          minimum: 1,
          maximum: 3600,
          description: 'For a worker: answer once its replicas have stopped, waiting at most this long.',
        },
      },
    },
    responses: {
      200: {
        description: 'The deleted resource, and what force skipped.',
        schema: {
          type: 'object',
          required: ['deleted', 'skipped'],
          properties: {
            deleted: resourceSchema,
            skipped: {type: 'array', items: {type: 'string'}},
            replicasStopped: bool('With waitSeconds: whether every replica had stopped.'),
          },
        },
      },
      ...common,
      ...errors('NotFound', 'Conflict'),
    },
  },
  {
    id: 'events',
    method: 'GET',
    url: routePatterns.events,
    summary: 'The event history of a resource (bounded), oldest first.',
    auth: true,
    querystring: {type: 'object', additionalProperties: false, properties: workspaceQuery},
    responses: {
      200: itemsOf('Events.', {
        type: 'object',
        properties: {
          time: {type: 'string', description: 'When it last happened.'},
          type: {type: 'string'},
          reason: {type: 'string'},
          message: {type: 'string', description: 'The latest message of its kind.'},
          count: {type: 'integer', description: 'How many times, when more than once.'},
          firstTime: {type: 'string', description: 'When it first happened, when more than once.'},
        },
      }),
      ...common,
      ...errors('NotFound'),
    },
  },
  {
    id: 'runtime',
    method: 'GET',
    url: routePatterns.runtime,
    summary: 'The replicas of a worker: pid, phase, restarts, last exit, CPU and memory.',
    auth: true,
    querystring: {type: 'object', additionalProperties: false, properties: workspaceQuery},
    responses: {
      200: {
        description: 'The worker and its replicas.',
        schema: {
          type: 'object',
          required: ['id', 'generation', 'status', 'limits', 'replicas'],
          properties: {
            id: {type: 'string'},
            generation: {type: 'integer'},
            status: {type: 'object'},
            revision: {type: 'string'},
            limits: {type: 'object', description: 'How this runtime enforces memory and CPU limits.'},
            usageUnavailable: str(
              'Why the replicas have no CPU and memory figures (a Kubernetes cluster without metrics-server).',
            ),
            replicas: {type: 'array', items: {type: 'object'}},
          },
        },
      },
      ...common,
      ...errors('NotFound'),
    },
  },
  {
    id: 'revisions',
    method: 'GET',
    url: routePatterns.revisions,
    summary:
      'A worker’s rollout history: the specs it rolled out (every change but the replica count), oldest first, the last in force.',
    auth: true,
    querystring: {type: 'object', additionalProperties: false, properties: workspaceQuery},
    responses: {
      200: itemsOf('The kept revisions (at most 11).', {
        type: 'object',
        required: ['revision', 'generation', 'createdAt', 'cause', 'current', 'manifest'],
        properties: {
          revision: {type: 'integer', description: 'A rollback makes the revision it returns to the newest.'},
          generation: {type: 'integer'},
          createdAt: str('When this revision was rolled out (RFC 3339).'),
          cause: str('What made it: create, apply, rollback, by whom.'),
          current: bool('The revision in force.'),
          manifest: {type: 'object', description: 'Its manifest, credentials masked.'},
        },
      }),
      ...common,
      ...errors('NotFound'),
    },
  },
  {
    id: 'history',
    method: 'GET',
    url: routePatterns.history,
    summary:
      'A worker’s samples over the last hour: replicas running and ready, desired, the autoscaler’s recommendation, and each replica’s CPU and memory (the Operations page’s charts).',
    auth: true,
    querystring: {type: 'object', additionalProperties: false, properties: workspaceQuery},
    responses: {
      200: {
        description: 'Requests and limits per replica (cores, bytes), and the samples, oldest first.',
        schema: {
          type: 'object',
          required: ['requests', 'limits', 'points'],
          properties: {
            requests: {type: 'object', properties: {cpu: {type: 'number'}, memory: {type: 'number'}}},
            limits: {type: 'object', properties: {cpu: {type: 'number'}, memory: {type: 'number'}}},
            points: {
              type: 'array',
              items: {
                type: 'object',
                required: ['t', 'running', 'ready', 'usage'],
                properties: {
                  t: {type: 'integer', description: 'ms since the epoch'},
                  running: {type: 'integer'},
                  ready: {type: 'integer'},
                  desired: {type: 'integer'},
                  recommended: {type: 'integer'},
                  usage: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['replica'],
                      properties: {replica: {type: 'string'}, cpu: {type: 'number'}, memory: {type: 'number'}},
                    },
                  },
                },
              },
            },
          },
        },
      },
      ...common,
      ...errors('NotFound'),
    },
  },
  {
    id: 'undo',
    method: 'POST',
    url: routePatterns.undo,
    summary:
      'Roll a worker back to its previous revision or to toRevision (kubectl rollout undo), keeping its replica count.',
    auth: true,
    querystring: {type: 'object', additionalProperties: false, properties: workspaceQuery},
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {toRevision: {type: 'integer', minimum: 1, description: 'The revision to return to.'}},
    },
    responses: {
      200: {
        description: 'What happened, the revision in force, and the worker.',
        schema: {
          type: 'object',
          required: ['result', 'changed', 'revision', 'resource'],
          properties: {
            result: str('What happened, in a few words.'),
            changed: bool('False when the revision asked for is already in force.'),
            revision: {type: 'integer'},
            resource: resourceSchema,
          },
        },
      },
      ...common,
      ...errors('NotFound', 'Invalid', 'Conflict'),
    },
  },
  {
    id: 'logs',
    method: 'GET',
    url: routePatterns.logs,
    summary:
      'Log lines of a worker’s replicas as text, each prefixed with [replica]; with follow, streamed as they come.',
    auth: true,
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...workspaceQuery,
        tailLines: {
          type: 'integer',
          minimum: -1,
          description: 'Lines per replica from the end (-1: all; default 300), then interleaved by time.',
        },
        replica: {type: 'integer', minimum: 0, description: 'Only this replica index.'},
        previous: bool('The previous instance of each replica (before its last restart).'),
        follow: bool('Keep streaming new lines.'),
        timestamps: bool('Each line with the time it was written (RFC 3339, UTC), after the replica.'),
        sinceSeconds: {type: 'integer', minimum: 0, description: 'Only lines written in the last this many seconds.'},
        sinceTime: str('Only lines written at or after this time (RFC 3339).'),
        allRevisions: bool('Replicas of every revision still running (a rollout), not only the current one.'),
      },
    },
    responses: {
      200: {
        description:
          'text/plain lines, those of several replicas interleaved by time: [replica] line, or [replica] time line.',
      },
      ...common,
      ...errors('NotFound'),
    },
  },
  ...actionRoutes(),
  {
    id: 'schema',
    method: 'GET',
    url: routePatterns.schema,
    summary: 'The JSON Schema (draft-07) of a resource type and version, as the server validates it.',
    auth: true,
    responses: {200: {description: 'A JSON Schema.', schema: {type: 'object'}}, ...common, ...errors('NotFound')},
  },
  {
    id: 'whoami',
    method: 'GET',
    url: paths.whoami,
    summary: 'The caller: user name, admin, workspace grants.',
    auth: true,
    responses: {
      200: {
        description: 'The caller.',
        schema: {
          type: 'object',
          required: ['user', 'admin', 'grants'],
          properties: {user: {type: 'string'}, admin: {type: 'boolean'}, grants: {type: 'array'}},
        },
      },
      ...errors('Unauthorized'),
    },
  },
  {
    id: 'controlPlanes',
    method: 'GET',
    url: paths.controlPlanes,
    summary: 'The control planes sharing the store, which one leads the scheduler, and the lease epoch.',
    auth: true,
    responses: {
      200: {
        description: 'The control planes.',
        schema: {
          type: 'object',
          required: ['store', 'highlyAvailable', 'controlPlanes', 'lease'],
          properties: {
            store: {type: 'string'},
            highlyAvailable: {type: 'boolean'},
            controlPlanes: {
              type: 'array',
              items: {
                type: 'object',
                required: ['id', 'host', 'url', 'pid', 'version', 'startedAt', 'lastSeen', 'leader', 'self'],
                properties: {
                  id: {type: 'string'},
                  host: {type: 'string'},
                  url: {type: 'string'},
                  pid: {type: 'integer'},
                  version: {type: 'string'},
                  startedAt: {type: 'string'},
                  lastSeen: {type: 'string'},
                  leader: {type: 'boolean'},
                  self: {type: 'boolean'},
                },
              },
            },
            lease: {
              type: 'object',
              required: ['epoch'],
              properties: {
                holder: {type: 'string'},
                epoch: {type: 'integer'},
                since: {type: 'string'},
                remainingMs: {type: 'integer'},
              },
            },
          },
        },
      },
      ...errors('Unauthorized'),
    },
  },
  {
    id: 'loginToken',
    method: 'POST',
    url: paths.loginTokens,
    summary:
      'A one-time login URL for the Operations page (drover dashboard): it opens a session with the caller’s API key’s permissions; valid for a minute.',
    auth: true,
    responses: {
      200: {
        description: 'The path to open, and when it stops working.',
        schema: {
          type: 'object',
          required: ['path', 'expiresAt'],
          properties: {path: {type: 'string'}, expiresAt: {type: 'string'}},
        },
      },
      ...errors('Unauthorized'),
    },
  },
  {
    id: 'createUser',
    method: 'POST',
    url: paths.users,
    summary:
      'Create a user and issue an API key for it (an existing name is refused: 409), or with update replace its permissions; admins only.',
    auth: true,
    body: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: str('User name (becomes the owner of what it applies).', {pattern: '^[a-z][-a-z0-9_.]{0,63}$'}),
        admin: bool('All permissions.'),
        grants: {
          type: 'array',
          items: {
            type: 'object',
            required: ['workspace', 'access'],
            additionalProperties: false,
            properties: {
              workspace: str('A workspace, or * for all.', {anyOf: [workspaceRule, {const: '*'}]}),
              access: {type: 'string', enum: ['read', 'write']},
            },
          },
        },
        update: bool('Replace the permissions of an existing user; its keys stay, none is issued.'),
      },
    },
    responses: {
      200: {
        description: 'The user and its new API key (shown once), or with update what changed.',
        schema: {
          type: 'object',
          required: ['user'],
          properties: {
            user: {type: 'object'},
            apiKey: {type: 'string'},
            changes: {type: 'array', items: {type: 'string'}},
          },
        },
      },
      ...common,
      ...errors('Conflict', 'NotFound'),
    },
  },
  {
    id: 'listUsers',
    method: 'GET',
    url: paths.users,
    summary: 'Every user with its permissions and how many keys it holds; admins only.',
    auth: true,
    responses: {
      200: itemsOf('Users, by name.', {
        type: 'object',
        required: ['user', 'admin', 'grants', 'keys'],
        properties: {
          user: {type: 'string'},
          admin: {type: 'boolean'},
          grants: {type: 'array'},
          keys: {type: 'integer'},
        },
      }),
      ...common,
    },
  },
  {
    id: 'deleteUser',
    method: 'DELETE',
    url: routePatterns.user,
    summary: 'Delete a user and its keys, which stop working at once; admins only. What it owns stays.',
    auth: true,
    responses: {
      200: {
        description: 'The deleted user.',
        schema: {type: 'object', required: ['user'], properties: {user: {type: 'string'}}},
      },
      ...common,
      ...errors('NotFound'),
    },
  },
  {
    id: 'rotateKey',
    method: 'POST',
    url: routePatterns.userKeys,
    summary: 'Issue a new API key for a user and revoke every other key of it at once; admins, or the user for itself.',
    auth: true,
    responses: {
      200: {
        description: 'The new key (shown once) and how many were revoked.',
        schema: {
          type: 'object',
          required: ['user', 'apiKey', 'revoked'],
          properties: {user: {type: 'string'}, apiKey: {type: 'string'}, revoked: {type: 'integer'}},
        },
      },
      ...common,
      ...errors('NotFound'),
    },
  },
  {
    id: 'openapi',
    method: 'GET',
    url: paths.openapi,
    summary: 'This document.',
    auth: false,
    responses: {200: {description: 'OpenAPI 3.0 document.'}},
  },
  {
    id: 'healthz',
    method: 'GET',
    url: paths.healthz,
    summary: 'Liveness: the process serves requests.',
    auth: false,
    responses: {200: {description: 'Alive.'}},
  },
  {
    id: 'readyz',
    method: 'GET',
    url: paths.readyz,
    summary: 'Readiness: the store is open and the scheduler running.',
    auth: false,
    responses: {200: {description: 'Ready.'}, 503: {description: 'Not ready.', schema: errorSchema}},
  },
  {
    id: 'metrics',
    method: 'GET',
    url: paths.metrics,
    summary: 'Prometheus metrics.',
    auth: false,
    responses: {200: {description: 'Text exposition format.'}},
  },
]

/**
 * An object schema without `properties` is free-form (a manifest, a status): say so with
 * `additionalProperties: true`, so that the response serializer keeps its fields and generated
 * clients type it as a record rather than as an empty object.
 */
function freeForm(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(freeForm)
  if (typeof schema !== 'object' || schema === null) return schema
  const out: JsonSchema = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, freeForm(v)]))
  if (out.type === 'object' && out.properties === undefined && out.additionalProperties === undefined)
    out.additionalProperties = true
  return out
}

export const ROUTES: RouteSpec[] = ROUTE_TABLE.map((r) => freeForm(r) as RouteSpec)
