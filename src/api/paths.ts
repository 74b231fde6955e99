// Route builders shared by the client and the server, so that the two cannot drift.

export const API_PREFIX = '/api/v1'

export const paths = {
  apply: `${API_PREFIX}/apply`,
  resources: `${API_PREFIX}/resources`,
  resource: (type: string, name: string) =>
    `${API_PREFIX}/resources/${encodeURIComponent(type)}/${encodeURIComponent(name)}`,
  events: (type: string, name: string) =>
    `${API_PREFIX}/resources/${encodeURIComponent(type)}/${encodeURIComponent(name)}/events`,
  runtime: (type: string, name: string) =>
    `${API_PREFIX}/resources/${encodeURIComponent(type)}/${encodeURIComponent(name)}/runtime`,
  logs: (type: string, name: string) =>
    `${API_PREFIX}/resources/${encodeURIComponent(type)}/${encodeURIComponent(name)}/logs`,
  schema: (type: string, version: string) =>
    `${API_PREFIX}/schemas/${encodeURIComponent(type)}/${encodeURIComponent(version)}`,
  whoami: `${API_PREFIX}/whoami`,
  users: `${API_PREFIX}/users`,
  openapi: `${API_PREFIX}/openapi.json`,
  healthz: '/healthz',
  readyz: '/readyz',
  metrics: '/metrics',
} as const

/** Query string from defined values only. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
  return parts.length > 0 ? `?${parts.join('&')}` : ''
}
