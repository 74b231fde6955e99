// Every failure of a request as the one error shape {code, message, details[]}: our own
// errors with their status, a store that cannot write as 507, schema violations as 400 with
// the fields, Fastify's body errors by name. Anything else is a 500 that names the request id
// and leaves the detail to the server log; never a stack trace.
import type {FastifyError, FastifyReply, FastifyRequest} from 'fastify'
import type {ErrorBody} from '../api/types.js'
import {StoreUnavailableError} from '../store/store.js'
import {ApiError} from './errors.js'

export function errorReply(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
  bodyLimit: number,
): ErrorBody {
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
  const known: Record<string, [number, ErrorBody['code'], string]> = {
    FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PayloadTooLarge', `the request body is larger than ${bodyLimit} bytes`],
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
}
