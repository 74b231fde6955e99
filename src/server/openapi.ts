// The OpenAPI 3.1 document (3.1: its schemas are JSON Schema, type arrays included) of the HTTP API, generated from the route table (routes/spec.ts).
// Served at /api/v1/openapi.json and committed as schemas/openapi.json (npm run schemas).
import {type JsonSchema, ROUTES} from './routes/spec.js'

export function openApiDocument(version: string): JsonSchema {
  const pathsOut: Record<string, Record<string, unknown>> = {}
  for (const r of ROUTES) {
    const path = r.url.replace(/:(\w+)/g, '{$1}')
    const parameters: unknown[] = [...r.url.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: {type: 'string'},
    }))
    const query = r.querystring?.properties as Record<string, JsonSchema> | undefined
    for (const [name, schema] of Object.entries(query ?? {})) {
      const {description, ...rest} = schema
      parameters.push({name, in: 'query', required: false, ...(description ? {description} : {}), schema: rest})
    }
    pathsOut[path] ??= {}
    pathsOut[path][r.method.toLowerCase()] = {
      operationId: r.id,
      summary: r.summary,
      ...(r.auth ? {security: [{apiKey: []}]} : {security: []}),
      ...(parameters.length ? {parameters} : {}),
      ...(r.body ? {requestBody: {required: true, content: {'application/json': {schema: r.body}}}} : {}),
      responses: Object.fromEntries(
        Object.entries(r.responses).map(([status, resp]) => [
          status,
          {
            description: resp.description,
            ...(resp.schema ? {content: {'application/json': {schema: resp.schema}}} : {}),
          },
        ]),
      ),
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'drover control plane',
      version,
      description:
        'Stores Worker, Stack and Secret resources and runs the workers. Errors are always {code, message, details[]}.',
    },
    components: {
      securitySchemes: {apiKey: {type: 'http', scheme: 'bearer', description: 'An API key: drv_<id>_<secret>.'}},
    },
    paths: pathsOut,
  }
}
