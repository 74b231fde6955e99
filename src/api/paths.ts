// Route builders shared by the client and the server, so that the two cannot drift.

const API_PREFIX = '/api/v1'

type Encode = (segment: string) => string
const resourceUrl = (type: string, name: string, e: Encode, tail = '') =>
  `${API_PREFIX}/resources/${e(type)}/${e(name)}${tail}`
const schemaUrl = (type: string, version: string, e: Encode) => `${API_PREFIX}/schemas/${e(type)}/${e(version)}`
const raw: Encode = (segment) => segment

export const paths = {
  apply: `${API_PREFIX}/apply`,
  resources: `${API_PREFIX}/resources`,
  resource: (type: string, name: string) => resourceUrl(type, name, encodeURIComponent),
  events: (type: string, name: string) => resourceUrl(type, name, encodeURIComponent, '/events'),
  runtime: (type: string, name: string) => resourceUrl(type, name, encodeURIComponent, '/runtime'),
  logs: (type: string, name: string) => resourceUrl(type, name, encodeURIComponent, '/logs'),
  revisions: (type: string, name: string) => resourceUrl(type, name, encodeURIComponent, '/revisions'),
  history: (type: string, name: string) => resourceUrl(type, name, encodeURIComponent, '/history'),
  undo: (type: string, name: string) => resourceUrl(type, name, encodeURIComponent, '/undo'),
  action: (type: string, name: string, action: string) =>
    resourceUrl(type, name, encodeURIComponent, `/${encodeURIComponent(action)}`),
  schema: (type: string, version: string) => schemaUrl(type, version, encodeURIComponent),
  whoami: `${API_PREFIX}/whoami`,
  controlPlanes: `${API_PREFIX}/control-planes`,
  loginTokens: `${API_PREFIX}/login-tokens`,
  users: `${API_PREFIX}/users`,
  user: (name: string) => `${API_PREFIX}/users/${encodeURIComponent(name)}`,
  userKeys: (name: string) => `${API_PREFIX}/users/${encodeURIComponent(name)}/keys`,
  openapi: `${API_PREFIX}/openapi.json`,
  healthz: '/healthz',
  readyz: '/readyz',
  metrics: '/metrics',
} as const

/** The same URLs as the server's route patterns (:type, :name): built by the same functions. */
export const routePatterns = {
  resource: resourceUrl(':type', ':name', raw),
  events: resourceUrl(':type', ':name', raw, '/events'),
  runtime: resourceUrl(':type', ':name', raw, '/runtime'),
  logs: resourceUrl(':type', ':name', raw, '/logs'),
  revisions: resourceUrl(':type', ':name', raw, '/revisions'),
  history: resourceUrl(':type', ':name', raw, '/history'),
  undo: resourceUrl(':type', ':name', raw, '/undo'),
  action: (action: string) => resourceUrl(':type', ':name', raw, `/${action}`),
  schema: schemaUrl(':type', ':version', raw),
  user: `${API_PREFIX}/users/:user`,
  userKeys: `${API_PREFIX}/users/:user/keys`,
} as const

/** Query string from defined values only. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
  return parts.length > 0 ? `?${parts.join('&')}` : ''
}
