// Plain HTTP calls to a control plane process, as any client would make them.
import type {ServerProcess} from './server.js'

export interface Reply {
  status: number
  text: string
  json: () => Record<string, unknown>
}

export async function call(
  server: ServerProcess,
  method: string,
  path: string,
  options: {body?: unknown; key?: string | null} = {},
): Promise<Reply> {
  const key = options.key === undefined ? server.adminKey : options.key
  const response = await fetch(new URL(path, server.url), {
    method,
    headers: {
      ...(key ? {authorization: `Bearer ${key}`} : {}),
      ...(options.body !== undefined ? {'content-type': 'application/json'} : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  })
  const text = await response.text()
  return {status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown>}
}

/** Creates a user with grants and returns its API key. */
export async function createUser(
  server: ServerProcess,
  name: string,
  grants: {workspace: string; access: 'read' | 'write'}[],
): Promise<string> {
  const r = await call(server, 'POST', '/api/v1/users', {body: {name, grants}})
  if (r.status !== 200) throw new Error(`cannot create ${name}: ${r.status} ${r.text}`)
  return String(r.json().apiKey)
}

export const nodeWorker = (name: string, source: string, worker: Record<string, unknown> = {}) => ({
  name,
  version: 'v1beta',
  type: 'worker',
  worker: {stack: 'node', compute: 'runnable-default', stackSpec: {source}, ...worker},
})

export async function apply(
  server: ServerProcess,
  manifest: unknown,
  options: {key?: string; workspace?: string} = {},
): Promise<Reply> {
  return call(server, 'POST', '/api/v1/apply', {
    body: {manifest, ...(options.workspace ? {workspace: options.workspace} : {})},
    key: options.key,
  })
}

/** The log of a worker (every replica), as text. */
export async function logOf(server: ServerProcess, name: string, workspace: string, key?: string): Promise<Reply> {
  return call(server, 'GET', `/api/v1/resources/worker/${name}/logs?workspace=${workspace}&tailLines=-1`, {key})
}
