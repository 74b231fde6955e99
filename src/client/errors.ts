// What the client throws: the server's error body with its status, or a transport failure.
import type {ErrorBody} from '../api/types.js'

export class ClientApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message)
    this.name = 'ClientApiError'
  }
}

export class ClientTransportError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly code?: string,
  ) {
    super(message)
    this.name = 'ClientTransportError'
  }
}
