// Typed CLI errors and the one exit-code table (README documents it). Commands throw these;
// BaseCommand.catch prints the message (never a stack trace) and exits with the code.

export const EXIT = {
  ok: 0,
  /** invalid input (a bad manifest, file or flag value) or a request the server rejected */
  invalid: 1,
  /** usage: unknown command or flag, missing or conflicting flags */
  usage: 2,
  notFound: 3,
  conflict: 4,
  unreachable: 5,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export class DroverError extends Error {
  readonly exitCode: ExitCode
  /** Stable CamelCase code for machine output. */
  readonly code: string
  readonly details: unknown[]
  readonly hint?: string

  constructor(message: string, options: {exitCode: ExitCode; code: string; details?: unknown[]; hint?: string}) {
    super(message)
    this.name = new.target.name
    this.exitCode = options.exitCode
    this.code = options.code
    this.details = options.details ?? []
    this.hint = options.hint
  }
}

export class UsageError extends DroverError {
  constructor(message: string, hint?: string) {
    super(message, {exitCode: EXIT.usage, code: 'Usage', hint})
  }
}

export class InvalidInputError extends DroverError {
  constructor(message: string, options: {details?: unknown[]; hint?: string; code?: string} = {}) {
    super(message, {
      exitCode: EXIT.invalid,
      code: options.code ?? 'Invalid',
      details: options.details,
      hint: options.hint,
    })
  }
}

export class NotFoundError extends DroverError {
  constructor(message: string, hint?: string) {
    super(message, {exitCode: EXIT.notFound, code: 'NotFound', hint})
  }
}

export class ConflictError extends DroverError {
  constructor(message: string, hint?: string) {
    super(message, {exitCode: EXIT.conflict, code: 'Conflict', hint})
  }
}

export class UnreachableError extends DroverError {
  constructor(message: string, hint?: string) {
    super(message, {exitCode: EXIT.unreachable, code: 'Unreachable', hint})
  }
}

/** Raised after a command has already printed its (failing) result: exit quietly with the code. */
export class ResultExit extends Error {
  constructor(readonly exitCode: ExitCode) {
    super(`exit ${exitCode}`)
  }
}
