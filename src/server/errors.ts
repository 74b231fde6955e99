// Domain errors of the server, each with a code from the wire contract (api/types.ts) that
// decides its HTTP status. Anything else that escapes a route is a 500 without details.
import {ERROR_STATUS, type ErrorBody, type ErrorCode, type ErrorDetail} from '../api/types.js'

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message)
    this.name = 'ApiError'
  }

  get status(): number {
    return ERROR_STATUS[this.code]
  }

  body(): ErrorBody {
    return {code: this.code, message: this.message, details: this.details}
  }
}
